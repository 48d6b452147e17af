//! ComicInfo.xml: read into ordered fields, and written back with every other field preserved.

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

/// The top-level fields of a ComicInfo.xml, in document order, text unescaped.
pub fn parse(xml: &str) -> Result<Vec<(String, String)>, String> {
    let mut reader = Reader::from_str(xml);
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<(String, String)> = None;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("ComicInfo.xml: {e}"))?
        {
            XmlEvent::Start(start) => {
                depth += 1;
                if depth == 2 {
                    let name = start.name().as_ref().to_string();
                    current = Some((name, String::new()));
                }
            }
            XmlEvent::Empty(empty) if depth == 1 => {
                let name = empty.name().as_ref().to_string();
                fields.push((name, String::new()));
            }
            XmlEvent::Text(text) if depth == 2 => {
                if let Some((_, value)) = current.as_mut() {
                    // Entities arrive as separate `GeneralRef` events, so text is literal.
                    value.push_str(&text.xml10_content());
                }
            }
            XmlEvent::GeneralRef(r) if depth == 2 => {
                if let Some((_, value)) = current.as_mut() {
                    let name: &str = &r;
                    let resolved = quick_xml::escape::resolve_predefined_entity(name)
                        .map(str::to_string)
                        .or_else(|| r.resolve_char_ref().ok().flatten().map(String::from))
                        .unwrap_or_default();
                    value.push_str(&resolved);
                }
            }
            XmlEvent::CData(data) if depth == 2 => {
                if let Some((_, value)) = current.as_mut() {
                    value.push_str(&data.xml10_content());
                }
            }
            XmlEvent::End(_) => {
                if depth == 2 {
                    if let Some((key, value)) = current.take() {
                        fields.push((key, value.trim().to_string()));
                    }
                }
                depth = depth.saturating_sub(1);
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(fields)
}

/// Escapes text for an XML element.
fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// A ComicInfo.xml with `updates` applied: existing fields keep their order and are replaced
/// in place, new ones are appended, every other field is preserved.
pub fn render(existing: &[(String, String)], updates: &[(&str, String)]) -> String {
    let mut fields: Vec<(String, String)> = existing.to_vec();
    for (key, value) in updates {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value.clone(),
            None => fields.push((key.to_string(), value.clone())),
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ComicInfo xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n",
    );
    for (k, v) in &fields {
        out.push_str(&format!("  <{k}>{}</{k}>\n", escape(v)));
    }
    out.push_str("</ComicInfo>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_in_order_with_entities() {
        let xml = r#"<?xml version="1.0"?><ComicInfo><Series>Tom &amp; Jerry</Series><Number>7.5</Number><Pages><Page Image="0"/></Pages><Notes/></ComicInfo>"#;
        let fields = parse(xml).unwrap();
        assert_eq!(fields[0], ("Series".into(), "Tom & Jerry".into()));
        assert_eq!(fields[1], ("Number".into(), "7.5".into()));
        assert_eq!(fields[2].0, "Pages");
        assert_eq!(fields[3], ("Notes".into(), String::new()));
    }

    #[test]
    fn render_replaces_in_place_and_keeps_the_rest() {
        let existing = vec![
            ("Series".to_string(), "Old".to_string()),
            ("Writer".to_string(), "A <B>".to_string()),
        ];
        let xml = render(
            &existing,
            &[("Series", "New & Co".into()), ("Number", "3".into())],
        );
        let back = parse(&xml).unwrap();
        assert_eq!(
            back,
            vec![
                ("Series".into(), "New & Co".into()),
                ("Writer".into(), "A <B>".into()),
                ("Number".into(), "3".into()),
            ]
        );
    }

    #[test]
    fn malformed_xml_is_an_error() {
        assert!(parse("<ComicInfo><Series>x</Number></ComicInfo>").is_err());
    }
}
