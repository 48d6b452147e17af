//! The `<Pages>` list of a ComicInfo.xml, as far as covers need it: which image is the front
//! cover (`<Page Image="n" Type="FrontCover"/>`).

use quick_xml::events::Event;
use quick_xml::Reader;

/// The `Image` index of the first `<Page>` whose `Type` lists `FrontCover`, if any. `Type` is
/// a whitespace-separated list in the schema (`"FrontCover InnerCover"`). Malformed XML gives
/// `None`: the cover then falls back to the first page, never to an error.
pub fn front_cover(xml: &str) -> Option<usize> {
    let mut reader = Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().ok()?;
        let (tag, opens) = match &event {
            Event::Start(tag) => (tag, true),
            Event::Empty(tag) => (tag, false),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Event::Eof => return None,
            Event::DocType(_) => return None,
            _ => continue,
        };
        // `<ComicInfo>` is depth 1, `<Pages>` 2, `<Page>` 3.
        if depth == 2 && tag.name().as_ref() == "Page" {
            let mut image = None;
            let mut front = false;
            for attribute in tag.attributes().flatten() {
                let value = attribute
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()?;
                match attribute.key.as_ref() {
                    "Image" => image = value.trim().parse::<usize>().ok(),
                    "Type" => front = value.split_whitespace().any(|t| t == "FrontCover"),
                    _ => {}
                }
            }
            if front {
                if let Some(i) = image {
                    return Some(i);
                }
            }
        }
        if opens {
            depth += 1;
            if depth > super::MAX_DEPTH {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::front_cover;

    #[test]
    fn the_front_cover_page_is_found_among_the_pages() {
        let xml = r#"<?xml version="1.0"?><ComicInfo><Series>S</Series><Pages>
            <Page Image="0" Type="Story"/><Page Image="2" Type="Advertisment FrontCover"/>
            <Page Image="3" Type="FrontCover"/></Pages></ComicInfo>"#;
        assert_eq!(front_cover(xml), Some(2));
    }

    #[test]
    fn no_pages_no_front_cover_or_broken_xml_give_none() {
        assert_eq!(
            front_cover("<ComicInfo><Series>S</Series></ComicInfo>"),
            None
        );
        assert_eq!(
            front_cover(r#"<ComicInfo><Pages><Page Image="1"/></Pages></ComicInfo>"#),
            None
        );
        assert_eq!(
            front_cover(r#"<ComicInfo><Pages><Page Image="x" Type="FrontCover"/>"#),
            None
        );
        // A <Page> outside <Pages> is not a page.
        assert_eq!(
            front_cover(r#"<ComicInfo><Page Image="4" Type="FrontCover"/></ComicInfo>"#),
            None
        );
        assert_eq!(
            front_cover("<ComicInfo><Pages><Page Image=\"1\" Type=\"FrontCover\""),
            None
        );
    }
}
