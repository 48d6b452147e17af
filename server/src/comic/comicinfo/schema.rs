//! The order of ComicInfo's top-level elements, which its schema fixes (`xs:sequence`).

/// Top-level elements in the order of the ComicInfo v2.0 schema (anansi-project/comicinfo,
/// `schema/v2.0/ComicInfo.xsd`, with `MainCharacterOrTeam` and `Review` after
/// `CommunityRating`), merged with the v2.1 draft's additions where the draft puts them
/// (`Translator`, `Tags`, `StoryArcNumber`, `GTIN`). The draft only inserts, so a file that uses
/// v2.0 elements only and follows this order is valid v2.0, and any file is valid v2.1.
pub const ELEMENT_ORDER: [&str; 44] = [
    "Title",
    "Series",
    "Number",
    "Count",
    "Volume",
    "AlternateSeries",
    "AlternateNumber",
    "AlternateCount",
    "Summary",
    "Notes",
    "Year",
    "Month",
    "Day",
    "Writer",
    "Penciller",
    "Inker",
    "Colorist",
    "Letterer",
    "CoverArtist",
    "Editor",
    "Translator",
    "Publisher",
    "Imprint",
    "Genre",
    "Tags",
    "Web",
    "PageCount",
    "LanguageISO",
    "Format",
    "BlackAndWhite",
    "Manga",
    "Characters",
    "Teams",
    "Locations",
    "ScanInformation",
    "StoryArc",
    "StoryArcNumber",
    "SeriesGroup",
    "AgeRating",
    "Pages",
    "CommunityRating",
    "MainCharacterOrTeam",
    "Review",
    "GTIN",
];

/// Where `name` goes when writing: its schema position; unknown elements all rank after the
/// known ones (a stable sort then keeps their original relative order).
pub(super) fn rank(name: &str) -> usize {
    ELEMENT_ORDER
        .iter()
        .position(|known| *known == name)
        .unwrap_or(ELEMENT_ORDER.len())
}

/// Whether `name` can be written as an element name as is (plain ASCII XML names, no
/// namespace prefix: all ComicInfo elements are such names).
pub(super) fn is_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("xml"))
}
