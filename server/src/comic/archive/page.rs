//! Reading one page of a `.cbz` (a cover), chosen from the entry names and ComicInfo.xml.

use super::{open_checked, read_entry, ArchiveError, MAX_COMIC_INFO_BYTES};
use std::path::Path;

/// Picks an entry from the archive's entry names (archive order) and its ComicInfo.xml.
pub type Choose<'a> = &'a dyn Fn(&[String], Option<&str>) -> Option<usize>;

/// Reads the entry `choose` picks, within `limit` inflated bytes (and never more than
/// [`super::MAX_ENTRY_BYTES`]); `None` if it picks none. The archive passes the same checks as
/// every read (entry count, encrypted and nested entries refused).
pub fn read_chosen(
    path: &Path,
    choose: Choose<'_>,
    limit: u64,
) -> Result<Option<(String, Vec<u8>)>, ArchiveError> {
    let mut zip = open_checked(path)?;
    let mut names_by_index = Vec::with_capacity(zip.len());
    let mut info = None;
    for i in 0..zip.len() {
        let name = zip
            .by_index_raw(i)
            .map_err(|e| ArchiveError::Unreadable(e.to_string()))?
            .name()
            .to_string();
        if name.eq_ignore_ascii_case("ComicInfo.xml") && info.is_none() {
            info = Some(i);
        }
        names_by_index.push(name);
    }
    let xml = match info {
        Some(i) => String::from_utf8(read_entry(&mut zip, i, MAX_COMIC_INFO_BYTES)?).ok(),
        None => None,
    };
    let Some(index) = choose(&names_by_index, xml.as_deref()) else {
        return Ok(None);
    };
    let bytes = read_entry(&mut zip, index, limit)?;
    Ok(Some((names_by_index[index].clone(), bytes)))
}
