//! Reading `.cbz` archives (the only module that writes them lives here too, in issue order).

use std::io::Read;
use std::path::Path;

/// Image file endings counted as pages.
const IMAGE_ENDINGS: [&str; 7] = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp"];

/// Whether an archive entry is a page image.
pub fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    IMAGE_ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// What a `.cbz` holds, as far as the UI cares.
#[derive(Debug, Clone, PartialEq)]
pub struct CbzSummary {
    /// Image entries.
    pub page_count: u32,
    /// ComicInfo.xml fields, if the archive has one.
    pub comic_info: Option<Vec<(String, String)>>,
}

/// Reads a `.cbz`'s page count and ComicInfo.xml.
pub fn summarize(path: &Path) -> Result<CbzSummary, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("not a valid .cbz: {e}"))?;
    let mut page_count = 0;
    let mut info_index = None;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_string();
        if is_image(&name) {
            page_count += 1;
        } else if name.eq_ignore_ascii_case("ComicInfo.xml") {
            info_index = Some(i);
        }
    }
    let comic_info = match info_index {
        Some(i) => {
            let mut text = String::new();
            zip.by_index(i)
                .map_err(|e| e.to_string())?
                .read_to_string(&mut text)
                .map_err(|e| format!("ComicInfo.xml: {e}"))?;
            Some(super::comicinfo::parse(&text)?)
        }
        None => None,
    };
    Ok(CbzSummary {
        page_count,
        comic_info,
    })
}
