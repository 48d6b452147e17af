//! The ComicInfo.xml Longbox writes validates against the real schema (`xmllint`, from
//! libxml2-utils, which `scripts/setup.sh` installs), and keeps what it does not own.

use longbox::comic::comicinfo::{self, ComicInfo};
use std::path::{Path, PathBuf};
use std::process::Command;

/// ComicInfo v2.0, the schema readers expect.
const V2_0: &str = "ComicInfo.xsd";
/// The v2.1 draft, which adds Translator, Tags, StoryArcNumber and GTIN.
const V2_1: &str = "ComicInfo-v2.1-draft.xsd";

fn schema(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// `xmllint`'s verdict on `xml` against schema `xsd`: `Ok` if valid, its complaint if not.
fn xmllint(xsd: &str, xml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ComicInfo.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema(xsd))
        .arg(&file)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "xmllint is missing, so ComicInfo.xml cannot be checked against the schema: \
             install libxml2-utils (scripts/setup.sh does)"
        ),
        Err(e) => panic!("cannot run xmllint: {e}"),
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[track_caller]
fn assert_valid(xsd: &str, xml: &str) {
    if let Err(e) = xmllint(xsd, xml) {
        panic!("not valid against {xsd}:\n{e}\n{xml}");
    }
}

fn owned(series: &str, number: &str, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Series", series.to_string()),
        ("Number", number.to_string()),
        ("Title", title.to_string()),
    ]
}

/// Every v2.0 element, deliberately out of order, with XML-special and non-ASCII text,
/// typed and enumerated values, and pages with attributes.
const RICH_V2_0: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<ComicInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Review>Five stars &amp; then some — «très bien» 👍</Review>
  <MainCharacterOrTeam>Alana</MainCharacterOrTeam>
  <CommunityRating>4.5</CommunityRating>
  <Pages>
    <Page Image="0" Type="FrontCover" ImageSize="183024" ImageWidth="1988" ImageHeight="3056" />
    <Page Image="1" Type="InnerCover Story" Key="p&amp;1" Bookmark="&quot;here&quot;" />
    <Page Image="2" DoublePage="true" ImageWidth="3976" ImageHeight="3056" />
    <Page Image="3" Type="BackCover" />
  </Pages>
  <AgeRating>Mature 17+</AgeRating>
  <SeriesGroup>Image &lt;Originals&gt;</SeriesGroup>
  <StoryArc>Chapter One</StoryArc>
  <ScanInformation>scan 'n' fix</ScanInformation>
  <Locations>Landfall, Wreath</Locations>
  <Teams>The Will &amp; co</Teams>
  <Characters>Marko, Alana, Hazel</Characters>
  <Manga>No</Manga>
  <BlackAndWhite>No</BlackAndWhite>
  <Format>Series</Format>
  <LanguageISO>en</LanguageISO>
  <PageCount>4</PageCount>
  <Web>https://example.com/saga?a=1&amp;b=2</Web>
  <Genre>Science Fiction, Fantasy</Genre>
  <Imprint>Image</Imprint>
  <Publisher>Image Comics</Publisher>
  <Editor>Eric Stephenson</Editor>
  <CoverArtist>Fiona Staples</CoverArtist>
  <Letterer>Fonografiks</Letterer>
  <Colorist>Fiona Staples</Colorist>
  <Inker>Fiona Staples</Inker>
  <Penciller>Fiona Staples</Penciller>
  <Writer>Brian K. Vaughan</Writer>
  <Day>14</Day>
  <Month>3</Month>
  <Year>2012</Year>
  <Notes>Tagged by &lt;somebody&gt; "quoted" 'single' — 漫画</Notes>
  <Summary>Star-crossed &amp; "wanted" — ça va? 日本語 <![CDATA[<i>cdata</i>]]></Summary>
  <AlternateCount>12</AlternateCount>
  <AlternateNumber>1</AlternateNumber>
  <AlternateSeries>Saga Deluxe</AlternateSeries>
  <Volume>1</Volume>
  <Count>54</Count>
  <Number>1</Number>
  <Series>Sága</Series>
  <Title>Chapter One</Title>
</ComicInfo>
"#;

#[test]
fn the_validator_rejects_what_it_should() {
    // A control: an out-of-order file and a page without its required Image are invalid.
    let out_of_order = "<ComicInfo><Number>1</Number><Series>S</Series></ComicInfo>";
    assert!(xmllint(V2_0, out_of_order).is_err());
    let no_image = "<ComicInfo><Pages><Page Type=\"FrontCover\"/></Pages></ComicInfo>";
    assert!(xmllint(V2_0, no_image).is_err());
    assert!(
        xmllint(V2_0, RICH_V2_0).is_err(),
        "RICH_V2_0 starts out of order"
    );
}

#[test]
fn a_new_comicinfo_validates() {
    let xml = comicinfo::render(None, &owned("Saga", "3", "Chapter 3")).unwrap();
    assert_valid(V2_0, &xml);
    assert_valid(V2_1, &xml);
}

#[test]
fn a_rewritten_minimal_comicinfo_validates() {
    for minimal in [
        "<ComicInfo/>",
        "<ComicInfo><Number>1</Number><Series>Old</Series></ComicInfo>",
        "<?xml version=\"1.0\"?>\n<ComicInfo>\n    <Title>Title 1</Title>\n</ComicInfo>\n",
    ] {
        let xml = comicinfo::render(Some(minimal), &owned("Saga", "3", "Chapter 3")).unwrap();
        assert_valid(V2_0, &xml);
        assert_valid(V2_1, &xml);
    }
}

#[test]
fn a_rewritten_rich_comicinfo_validates_and_keeps_its_fields() {
    let xml = comicinfo::render(
        Some(RICH_V2_0),
        &owned("Saga & <Co> \"é\" 'x'", "3.5", "Chapter Three — 三"),
    )
    .unwrap();
    assert_valid(V2_0, &xml);
    assert_valid(V2_1, &xml);
    let before = ComicInfo::parse(RICH_V2_0).unwrap();
    let after = ComicInfo::parse(&xml).unwrap();
    for (field, value) in before.fields() {
        match field.as_str() {
            "Series" => assert_eq!(after.get("Series"), Some("Saga & <Co> \"é\" 'x'")),
            "Number" => assert_eq!(after.get("Number"), Some("3.5")),
            "Title" => assert_eq!(after.get("Title"), Some("Chapter Three — 三")),
            "Pages" => assert_eq!(value, "4 pages"),
            _ => assert_eq!(after.get(&field), Some(value.as_str()), "{field}"),
        }
    }
    assert_eq!(after.fields().len(), before.fields().len());
    assert!(xml.contains(
        r#"<Page Image="1" Type="InnerCover Story" Key="p&amp;1" Bookmark="&quot;here&quot;" />"#
    ));
}

#[test]
fn v2_1_elements_go_where_the_draft_puts_them() {
    let doc = "<ComicInfo><GTIN>9781607066019</GTIN><Tags>space</Tags><StoryArcNumber>1</StoryArcNumber><Translator>T</Translator><Editor>E</Editor><Genre>G</Genre><Review>R</Review><StoryArc>A</StoryArc><SeriesGroup>SG</SeriesGroup><Publisher>P</Publisher></ComicInfo>";
    let xml = comicinfo::render(Some(doc), &owned("Saga", "1", "One")).unwrap();
    assert_valid(V2_1, &xml);
}

#[test]
fn unknown_elements_are_kept_after_the_known_ones() {
    // Not valid against either schema (they have no wildcard), so checked without xmllint.
    let doc = "<ComicInfo xmlns:lb=\"urn:x-longbox\"><lb:Zeta a=\"1\">z</lb:Zeta><Series>Old</Series><Alpha><Deep>d &amp; e</Deep></Alpha><Title>T</Title></ComicInfo>";
    let xml = comicinfo::render(Some(doc), &owned("Saga", "1", "One")).unwrap();
    assert_eq!(
        xml,
        "<ComicInfo xmlns:lb=\"urn:x-longbox\">\n  <Title>One</Title>\n  <Series>Saga</Series>\n  <Number>1</Number>\n  <lb:Zeta a=\"1\">z</lb:Zeta>\n  <Alpha><Deep>d &amp; e</Deep></Alpha>\n</ComicInfo>"
    );
}
