//! The file-name parser against a labelled corpus of real-world comic and manga names
//! (`tests/data/filenames.tsv`, see its README), plus property tests: `parse` never panics and
//! what it returns comes from the name.

use longbox::comic::filename::{parse, ParsedName};
use proptest::prelude::*;

const FIELDS: [&str; 6] = ["issue", "series", "volume", "year", "count", "title"];

struct Row {
    name: String,
    want: [Option<String>; 6],
}

fn corpus() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/filenames.tsv");
    let text = std::fs::read_to_string(path).expect("read the corpus");
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_string());
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("name\t") && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 7, "7 columns: {l:?}");
            Row {
                name: c[0].to_string(),
                // Column order in the file: name, series, issue, volume, year, count, title.
                want: [
                    cell(c[2]),
                    cell(c[1]),
                    cell(c[3]),
                    cell(c[4]),
                    cell(c[5]),
                    cell(c[6]),
                ],
            }
        })
        .collect()
}

fn got(p: &ParsedName) -> [Option<String>; 6] {
    [
        p.issue.clone(),
        p.series.clone(),
        p.volume.clone(),
        p.year.clone(),
        p.issue_count.clone(),
        p.title.clone(),
    ]
}

#[test]
fn corpus_accuracy() {
    let rows = corpus();
    assert!(rows.len() >= 300, "corpus has {} names", rows.len());
    let mut right = [0usize; 6];
    let mut misses = Vec::new();
    for row in &rows {
        let g = got(&parse(&row.name));
        for f in 0..6 {
            if g[f] == row.want[f] {
                right[f] += 1;
            } else {
                misses.push(format!(
                    "  {:<6} {:?}: want {:?}, got {:?}",
                    FIELDS[f], row.name, row.want[f], g[f]
                ));
            }
        }
    }
    let pct = |f: usize| 100.0 * right[f] as f64 / rows.len() as f64;
    println!("{} names", rows.len());
    for (f, field) in FIELDS.iter().enumerate() {
        println!(
            "  {field:<6} {:>6.2} % ({}/{})",
            pct(f),
            right[f],
            rows.len()
        );
    }
    println!("misses ({}):", misses.len());
    misses.sort();
    for m in &misses {
        println!("{m}");
    }
    assert!(pct(0) >= 98.0, "issue accuracy {:.2} % < 98 %", pct(0));
    // Reported fields: floors a little under today's figures, so regressions show.
    for (f, floor) in [(1, 97.0), (2, 98.0), (3, 98.0), (4, 98.0), (5, 96.0)] {
        assert!(
            pct(f) >= floor,
            "{} accuracy {:.2} % < {floor} %",
            FIELDS[f],
            pct(f)
        );
    }
}

/// Whatever a field holds is non-empty and trimmed; an issue's integer part is in the name
/// (`000` → `0`, `½` → `0.5`).
fn well_formed(name: &str, p: &ParsedName) -> Result<(), TestCaseError> {
    for v in got(p).iter().flatten() {
        prop_assert!(!v.is_empty() && v.trim() == v, "{v:?} from {name:?}");
    }
    if let Some(issue) = &p.issue {
        prop_assert!(
            !issue.chars().any(char::is_whitespace),
            "{issue:?} from {name:?}"
        );
        let digits: String = issue
            .trim_start_matches('-')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        prop_assert!(!digits.is_empty(), "{issue:?} from {name:?}");
        let found = name.contains(&digits) || (digits == "0" && name.contains(['0', '½']));
        prop_assert!(found, "{issue:?} is not in {name:?}");
    }
    Ok(())
}

fn comic_token() -> impl Strategy<Value = String> {
    const FIXED: &[&str] = &[
        "Batman",
        "X-Men",
        "100",
        "2000AD",
        "AD",
        "of",
        "Of",
        "Annual",
        "TPB",
        "One",
        "Shot",
        "Vol.",
        "Volume",
        "No.",
        "No",
        "Issue",
        "Chapter",
        "ch",
        "c",
        "v",
        "#",
        "½",
        "-",
        "–",
        "--",
        ":",
        "(",
        ")",
        "[",
        "]",
        "{HQ}",
        "(Digital)",
        "(Zone-Empire)",
        "(c2c)",
        "c2c",
        "[Group]",
        "pages",
        "42pgs",
        ".cbz",
        ".",
        "_",
        "İ",
        "日本",
        "ß",
        "  ",
    ];
    prop_oneof![
        proptest::sample::select(FIXED).prop_map(str::to_string),
        "[0-9]{1,7}",
        "-?[0-9]{1,4}(\\.[0-9]{1,3})?[a-zA-Z]{0,3}",
        "#[0-9½]{1,4}",
        "[vVcC][0-9]{1,4}(-[0-9]{1,3})?",
        "(ch|Ch\\.|chapter|issue|no\\.|Vol\\.|vol)[ ._-]?[0-9]{1,4}",
        "\\((19|20)[0-9]{2}(-[0-9]{2})?\\)",
        "\\(of [0-9]{1,2}\\)",
        "[0-9]{1,3}(of| of )[0-9]{1,3}",
        "[0-9]{1,3}-[0-9]{1,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[A-Za-z'!&]{1,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_any_string(name in any::<String>()) {
        well_formed(&name, &parse(&name))?;
    }

    #[test]
    fn never_panics_on_printable_unicode(name in "\\PC{0,60}") {
        well_formed(&name, &parse(&name))?;
    }

    #[test]
    fn never_panics_on_comic_like_names(
        tokens in prop::collection::vec(comic_token(), 0..14),
        sep in proptest::sample::select(vec![" ", "_", ".", "-", "", " - "]),
    ) {
        let name = tokens.join(sep);
        well_formed(&name, &parse(&name))?;
    }
}
