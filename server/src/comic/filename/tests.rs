//! Unit tests of the file-name parser; the labelled corpus is in `tests/filename_corpus.rs`.
use super::*;

fn p(name: &str) -> ParsedName {
    parse(name)
}

#[test]
fn fields_of_a_scene_name() {
    let n = p("Saga #054 (2018) (Digital) (Zone-Empire).cbz");
    assert_eq!(n.series.as_deref(), Some("Saga"));
    assert_eq!(n.issue.as_deref(), Some("54"));
    assert_eq!(n.year.as_deref(), Some("2018"));
    assert_eq!(n.tags, ["Digital", "Zone-Empire"]);
    assert_eq!(n.kind, NameKind::Issue);
}

#[test]
fn digits_in_series_names_stay_there() {
    for (name, series, issue) in [
        ("100 Bullets 058.cbr", "100 Bullets", "58"),
        ("2000AD 1234.cbz", "2000AD", "1234"),
        ("2000 AD 2000.cbz", "2000 AD", "2000"),
        ("30 Days of Night 01.cbz", "30 Days of Night", "1"),
        (
            "Y The Last Man 060 (2008) (c2c).cbz",
            "Y The Last Man",
            "60",
        ),
        ("Kaiju No. 8 036 (2021) (Digital).cbz", "Kaiju No. 8", "36"),
        ("Blade Runner 2029 006 (2021).cbr", "Blade Runner 2029", "6"),
    ] {
        let n = p(name);
        assert_eq!(
            (n.series.as_deref(), n.issue.as_deref()),
            (Some(series), Some(issue)),
            "{name}"
        );
    }
}

#[test]
fn kinds_counts_volumes_and_ranges() {
    let n = p("Batman Annual 03 (2018).cbz");
    assert_eq!((n.kind, n.issue.as_deref()), (NameKind::Annual, Some("3")));
    let n = p("Saga Vol. 01 TPB (2012) (Digital).cbz");
    assert_eq!(
        (n.kind, n.volume.as_deref(), n.issue),
        (NameKind::OneShot, Some("1"), None)
    );
    assert!(n.tags.contains(&"TPB".to_string()));
    let n = p("Bleach 001-003.cbz");
    assert_eq!(
        (n.kind, n.issue.as_deref(), n.range_end.as_deref()),
        (NameKind::Range, Some("1"), Some("3"))
    );
    let n = p("Daredevil (2019) Issue 25 (of 36).cbz");
    assert_eq!(
        (n.issue.as_deref(), n.issue_count.as_deref()),
        (Some("25"), Some("36"))
    );
    let n = p("Lone Ranger 2 of 5 (2011).cbr");
    assert_eq!(
        (n.issue.as_deref(), n.issue_count.as_deref()),
        (Some("2"), Some("5"))
    );
    let n = p("[Group] Berserk v01 c001 - The Black Swordsman [Scans].cbz");
    assert_eq!(
        (n.volume.as_deref(), n.issue.as_deref()),
        (Some("1"), Some("1"))
    );
    assert_eq!(n.title.as_deref(), Some("The Black Swordsman"));
}

#[test]
fn special_issue_numbers() {
    for (name, issue) in [
        ("Earth X #½.cbz", "0.5"),
        ("Avengers #001½.cbz", "1.5"),
        ("X-Men -1 (1997).cbz", "-1"),
        ("Fantastic Four #5AU.cbz", "5AU"),
        ("Amazing Spider-Man 078.BEY (2022).cbr", "78.BEY"),
        ("Akira Chapter 12.50.cbz", "12.50"),
        ("Monster ch 000.cbz", "0"),
        ("Naruto.ch.698.cbz", "698"),
        ("One_Piece_Issue_2.cbz", "2"),
    ] {
        assert_eq!(p(name).issue.as_deref(), Some(issue), "{name}");
    }
}

#[test]
fn odd_input_does_not_panic() {
    for name in [
        "",
        ".",
        "(",
        ")",
        "((((",
        "#",
        "- - -",
        "v",
        "½½",
        "İİ-ch",
        "of of 5of",
        "_._-_",
    ] {
        let _ = p(name);
    }
}
