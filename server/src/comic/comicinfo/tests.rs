use super::*;
use proptest::prelude::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A file as taggers write them: out of order, with Pages, unknown elements, comments, a
/// schema location and typed values Longbox must not touch.
const RICH: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- written by a tagger -->\n<ComicInfo xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n    xsi:noNamespaceSchemaLocation=\"ComicInfo.xsd\"   xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n    <Writer>Brian K. Vaughan &amp; co</Writer>\n    <Series>Old</Series>\n    <Pages>\n        <Page Image=\"0\" Type=\"FrontCover\" ImageSize=\"123\" />\n        <Page Image=\"1\" DoublePage=\"true\"  Key='k&amp;1'/>\n    </Pages>\n    <MyTool><Id kind=\"x\">42</Id></MyTool>\n    <!-- about the rating -->\n    <CommunityRating>4.50</CommunityRating>\n    <Manga>YesAndRightToLeft</Manga>\n    <AgeRating>Teen</AgeRating>\n    <Year> 2012 </Year>\n    <Extra>z</Extra>\n    <Summary><![CDATA[<b>bold</b>]]> &#233;t&#xE9;</Summary>\n</ComicInfo>\n";

#[test]
fn parses_fields_in_schema_order_with_entities() {
    let xml = r#"<?xml version="1.0"?><ComicInfo><Series>Tom &amp; Jerry</Series><Number>7.5</Number><Pages><Page Image="0"/></Pages><Notes/></ComicInfo>"#;
    assert_eq!(
        parse(xml).unwrap(),
        pairs(&[
            ("Series", "Tom & Jerry"),
            ("Number", "7.5"),
            ("Notes", ""),
            ("Pages", "1 page"),
        ])
    );
}

#[test]
fn render_replaces_in_place_and_keeps_the_rest() {
    let existing = "<ComicInfo><Series>Old</Series><Writer>A &lt;B&gt;</Writer></ComicInfo>";
    let xml = render(
        Some(existing),
        &[("Series", "New & Co".into()), ("Number", "3".into())],
    )
    .unwrap();
    assert_eq!(
        parse(&xml).unwrap(),
        pairs(&[("Series", "New & Co"), ("Number", "3"), ("Writer", "A <B>")])
    );
}

#[test]
fn malformed_xml_is_an_error() {
    for bad in [
        "<ComicInfo><Series>x</Number></ComicInfo>",
        "<ComicInfo><Series>x</Series>",
        "<ComicInfo><Series a=\"1\" a=\"2\">x</Series></ComicInfo>",
        "<ComicInfo>a & b</ComicInfo>",
        "<ComicInfo/><ComicInfo/>",
        "<ComicInfo/>text",
        "text<ComicInfo/>",
        "",
        "<Other/>",
    ] {
        assert!(ComicInfo::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn a_new_file_is_in_schema_order() {
    let xml = render(
        None,
        &[
            ("Series", "Saga".into()),
            ("Number", "3".into()),
            ("Title", "Chapter 3".into()),
        ],
    )
    .unwrap();
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ComicInfo xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Title>Chapter 3</Title>\n  <Series>Saga</Series>\n  <Number>3</Number>\n</ComicInfo>\n"
    );
}

#[test]
fn read_write_read_keeps_fields_and_is_stable() {
    let doc = ComicInfo::parse(RICH).unwrap();
    let fields = doc.fields();
    assert_eq!(
        fields,
        pairs(&[
            ("Series", "Old"),
            ("Summary", "<b>bold</b> été"),
            ("Year", "2012"),
            ("Writer", "Brian K. Vaughan & co"),
            ("Manga", "YesAndRightToLeft"),
            ("AgeRating", "Teen"),
            ("Pages", "2 pages"),
            ("CommunityRating", "4.50"),
            ("Extra", "z"),
        ])
    );
    let written = doc.to_xml();
    let again = ComicInfo::parse(&written).unwrap();
    assert_eq!(again.fields(), fields);
    assert_eq!(again.to_xml(), written, "writing is a fixpoint");
}

#[test]
fn untouched_markup_survives_byte_for_byte() {
    let xml = render(
        Some(RICH),
        &[
            ("Series", "Saga".into()),
            ("Number", "3".into()),
            ("Title", "Chapter 3".into()),
        ],
    )
    .unwrap();
    for kept in [
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- written by a tagger -->\n",
        "<ComicInfo xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n    xsi:noNamespaceSchemaLocation=\"ComicInfo.xsd\"   xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">",
        "<Pages>\n        <Page Image=\"0\" Type=\"FrontCover\" ImageSize=\"123\" />\n        <Page Image=\"1\" DoublePage=\"true\"  Key='k&amp;1'/>\n    </Pages>",
        "<MyTool><Id kind=\"x\">42</Id></MyTool>",
        "<!-- about the rating -->\n    <CommunityRating>4.50</CommunityRating>",
        "<Manga>YesAndRightToLeft</Manga>",
        "<Year> 2012 </Year>",
        "<Writer>Brian K. Vaughan &amp; co</Writer>",
        "<Summary><![CDATA[<b>bold</b>]]> &#233;t&#xE9;</Summary>",
    ] {
        assert!(xml.contains(kept), "{kept:?} lost from\n{xml}");
    }
    // Schema order, unknown elements last in their original order.
    let names: Vec<String> = ComicInfo::parse(&xml)
        .unwrap()
        .children
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "Title",
            "Series",
            "Number",
            "Summary",
            "Year",
            "Writer",
            "Manga",
            "AgeRating",
            "Pages",
            "CommunityRating",
            "MyTool",
            "Extra"
        ]
    );
}

#[test]
fn updating_owned_fields_changes_only_those() {
    let before = parse(RICH).unwrap();
    let xml = render(
        Some(RICH),
        &[
            ("Series", "Saga".into()),
            ("Number", "3".into()),
            ("Title", "Chapter 3".into()),
        ],
    )
    .unwrap();
    let after = parse(&xml).unwrap();
    let owned = ["Series", "Number", "Title"];
    let rest = |f: &[(String, String)]| -> Vec<(String, String)> {
        f.iter()
            .filter(|(k, _)| !owned.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    assert_eq!(rest(&after), rest(&before));
    let doc = ComicInfo::parse(&xml).unwrap();
    assert_eq!(doc.get("Series"), Some("Saga"));
    assert_eq!(doc.get("Number"), Some("3"));
    assert_eq!(doc.get("Title"), Some("Chapter 3"));
}

#[test]
fn escaping_round_trips() {
    let nasty = "Tom & Jerry <3> \"quoted\" 'single' ]]> a\r\nb\rc\td é 漫画 🦀 &amp;";
    let mut doc = ComicInfo::new();
    doc.set("Title", nasty);
    let back = ComicInfo::parse(&doc.to_xml()).unwrap();
    assert_eq!(back.get("Title"), Some(nasty));
}

#[test]
fn values_are_trimmed_and_cleaned_and_empty_removes() {
    let mut doc =
        ComicInfo::parse("<ComicInfo><Title>a</Title><Title>b</Title></ComicInfo>").unwrap();
    doc.set("Title", "  x\u{0}\u{1b}y\u{FFFE} \n");
    assert_eq!(doc.fields(), pairs(&[("Title", "xy")]), "duplicates go too");
    doc.set("Title", " \n ");
    assert_eq!(doc.fields(), vec![]);
    assert_eq!(doc.to_xml(), "<ComicInfo>\n</ComicInfo>");
}

#[test]
fn setting_the_same_value_keeps_the_bytes() {
    let xml = "<ComicInfo>\n\t<Series> Saga </Series>\n</ComicInfo>";
    assert_eq!(
        render(Some(xml), &[("Series", "Saga".into())]).unwrap(),
        xml
    );
}

#[test]
fn removed_elements_hand_their_comments_on() {
    let xml = "<ComicInfo><!--a--><Title>t</Title><!--b--><Series>s</Series></ComicInfo>";
    let out = render(Some(xml), &[("Title", String::new())]).unwrap();
    assert_eq!(
        out,
        "<ComicInfo>\n  <!--a-->\n  <!--b-->\n  <Series>s</Series>\n</ComicInfo>"
    );
}

#[test]
fn hostile_documents_are_refused() {
    let doctype =
        "<!DOCTYPE ComicInfo [<!ENTITY x \"boom\">]><ComicInfo><Title>&x;</Title></ComicInfo>";
    assert!(ComicInfo::parse(doctype).unwrap_err().contains("DOCTYPE"));
    let nest = |levels: usize| {
        let inner = levels - 1;
        format!(
            "<ComicInfo>{}{}</ComicInfo>",
            "<a>".repeat(inner),
            "</a>".repeat(inner)
        )
    };
    assert!(ComicInfo::parse(&nest(MAX_DEPTH)).is_ok());
    assert!(ComicInfo::parse(&nest(MAX_DEPTH + 1)).is_err());
    let deep_empty = format!(
        "<ComicInfo>{}<b/>{}</ComicInfo>",
        "<a>".repeat(MAX_DEPTH - 1),
        "</a>".repeat(MAX_DEPTH - 1)
    );
    assert!(ComicInfo::parse(&deep_empty).is_err());
    assert!(ComicInfo::parse(&"<a>".repeat(100_000)).is_err());
}

#[test]
fn undeclared_entities_are_kept_not_expanded() {
    let doc = ComicInfo::parse("<ComicInfo><Notes>a&nbsp;b&#0;</Notes></ComicInfo>").unwrap();
    assert_eq!(doc.get("Notes"), Some("a&nbsp;b&#0;"));
}

#[test]
fn byte_order_mark_root_forms_and_declarations() {
    let doc = ComicInfo::parse("\u{FEFF}<ComicInfo a=\"1\"/>\n").unwrap();
    let mut edited = doc.clone();
    edited.set("Series", "S");
    assert_eq!(
        edited.to_xml(),
        "\u{FEFF}<ComicInfo a=\"1\">\n  <Series>S</Series>\n</ComicInfo>\n"
    );
    let latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\r\n<ComicInfo>\r\n <Series>é</Series>\r\n</ComicInfo>";
    assert_eq!(
        ComicInfo::parse(latin).unwrap().to_xml(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<ComicInfo>\r\n <Series>é</Series>\r\n</ComicInfo>"
    );
}

#[test]
fn render_refuses_bad_field_names() {
    assert!(render(None, &[("a b", "x".into())]).is_err());
    assert!(render(None, &[("<x>", "x".into())]).is_err());
    assert!(render(Some("<nope"), &[]).is_err());
}

/// Strings that look enough like XML to reach deep into the reader.
fn xmlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<ComicInfo>".to_string()),
        Just("</ComicInfo>".to_string()),
        Just("<?xml version=\"1.0\"?>".to_string()),
        Just("<!DOCTYPE x>".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        "<[A-Za-z:]{1,3}( [a-z]{1,2}=\"[^\"]{0,3}\")?/?>",
        "</[A-Za-z]{1,3}>",
        "&[a-z#x0-9]{0,5};?",
        "[^<&]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// Well-formed ComicInfo documents with arbitrary structure: known and unknown elements,
/// nesting, attributes, references, CDATA, comments and stray text.
fn well_formed() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("Series".to_string()),
        Just("Title".to_string()),
        Just("Pages".to_string()),
        Just("Page".to_string()),
        Just("Manga".to_string()),
        "[A-Za-z_][A-Za-z0-9.-]{0,4}",
    ];
    let text = prop_oneof![
        "[^<&]{0,8}",
        Just("&amp;".to_string()),
        Just("&#x1F980;".to_string()),
        Just("&nbsp;".to_string()),
        Just("<![CDATA[a<&>]]>".to_string()),
        Just("<!-- c -->".to_string()),
        Just("<?pi x?>".to_string()),
        Just("\r\n  ".to_string()),
    ];
    let attrs = prop::collection::vec(("[a-z]{1,3}", "[^<&\"]{0,4}"), 0..3).prop_map(|a| {
        let mut seen = std::collections::HashSet::new();
        a.into_iter()
            .filter(|(k, _)| seen.insert(k.clone()))
            .map(|(k, v)| format!(" {k}=\"{v}\""))
            .collect::<String>()
    });
    let leaf = prop_oneof![
        text.clone(),
        (name.clone(), attrs.clone()).prop_map(|(n, a)| format!("<{n}{a}/>")),
    ];
    let node = leaf.prop_recursive(4, 32, 6, move |inner| {
        (
            name.clone(),
            attrs.clone(),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(n, a, kids)| format!("<{n}{a}>{}</{n}>", kids.concat()))
    });
    (
        prop::sample::select(vec![
            "",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
            "\u{FEFF}",
        ]),
        prop::collection::vec(node, 0..10),
        prop::sample::select(vec!["", "\n", "<!-- end -->"]),
    )
        .prop_map(|(head, kids, tail)| {
            format!(
                "{head}<ComicInfo x=\"1\">{}</ComicInfo>{tail}",
                kids.concat()
            )
        })
}

proptest! {
    #[test]
    fn parse_never_panics(s in any::<String>()) {
        let _ = ComicInfo::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_xmlish_input_and_writing_is_a_fixpoint(s in xmlish()) {
        if let Ok(doc) = ComicInfo::parse(&s) {
            let written = doc.to_xml();
            let again = ComicInfo::parse(&written).expect("own output parses");
            prop_assert_eq!(again.fields(), doc.fields());
            prop_assert_eq!(again.to_xml(), written);
        }
    }

    #[test]
    fn well_formed_documents_parse_and_writing_is_a_fixpoint(s in well_formed()) {
        let doc = ComicInfo::parse(&s).map_err(|e| TestCaseError::fail(format!("{e}: {s:?}")))?;
        let written = doc.to_xml();
        let again = ComicInfo::parse(&written).expect("own output parses");
        prop_assert_eq!(again.fields(), doc.fields());
        prop_assert_eq!(again.to_xml(), written);
    }

    #[test]
    fn generated_documents_read_back_their_fields(
        updates in prop::collection::vec((0..ELEMENT_ORDER.len() + 2, any::<String>()), 0..20),
        on_rich in any::<bool>(),
    ) {
        let mut doc = if on_rich { ComicInfo::parse(RICH).unwrap() } else { ComicInfo::new() };
        for (i, value) in &updates {
            let field = match ELEMENT_ORDER.get(*i) {
                Some(&"Pages") | None => "Unknown_Field",
                Some(name) => name,
            };
            doc.set(field, value);
        }
        let back = ComicInfo::parse(&doc.to_xml()).expect("own output parses");
        prop_assert_eq!(back.fields(), doc.fields());
    }
}

#[test]
fn many_duplicates_are_removed_quickly() {
    let xml = format!(
        "<ComicInfo>{}</ComicInfo>",
        "<Series/><!--c-->".repeat(100_000)
    );
    let started = std::time::Instant::now();
    let out = render(Some(&xml), &[("Series", "S".into())]).unwrap();
    assert!(started.elapsed().as_secs() < 10, "linear, not quadratic");
    let doc = ComicInfo::parse(&out).unwrap();
    assert_eq!(doc.fields(), pairs(&[("Series", "S")]));
    assert_eq!(out.matches("<!--c-->").count(), 100_000, "comments kept");
}
