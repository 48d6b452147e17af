//! Reading one page of a `.cbr` (a cover), chosen from the entry names and ComicInfo.xml.

use super::{guarded, list, walk, Entry, Limits, Step};
use crate::comic::archive::{ArchiveError, Choose};
use std::path::Path;

/// [`crate::comic::archive::read_chosen`] for `.cbr`: every header is checked against the
/// limits first, then ComicInfo.xml (if any) and the chosen entry are unpacked, the chosen one
/// within `limit` bytes (checked against its header before unpacking, and on the bytes made).
pub fn read_chosen(
    path: &Path,
    choose: Choose<'_>,
    limit: u64,
) -> Result<Option<(String, Vec<u8>)>, ArchiveError> {
    let limits = Limits {
        entry_bytes: Limits::DEFAULT.entry_bytes.min(limit),
        ..Limits::DEFAULT
    };
    guarded(|| {
        // Listing checks the headers with the default limits: a big page that is not the cover
        // is no reason to refuse the archive.
        let entries = list(path, Limits::DEFAULT)?;
        let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
        let mut xml = None;
        if let Some(info) = entries.iter().position(Entry::is_comic_info) {
            let step = |i, _: &Entry| if i == info { Step::Read } else { Step::Skip };
            walk(path, Limits::DEFAULT, &step, &mut |_, bytes| {
                xml = String::from_utf8(bytes).ok();
                Ok(())
            })?;
        }
        let Some(index) = choose(&names, xml.as_deref()) else {
            return Ok(None);
        };
        if entries[index].size > limits.entry_bytes {
            return Err(ArchiveError::OverLimit(format!(
                "{} unpacks to {} bytes; the limit for a cover is {}",
                entries[index].name, entries[index].size, limits.entry_bytes
            )));
        }
        let mut page = None;
        let step = |i, _: &Entry| if i == index { Step::Read } else { Step::Skip };
        walk(path, Limits::DEFAULT, &step, &mut |entry, bytes| {
            page = Some((entry.name, bytes));
            Ok(())
        })?;
        page.map(Some)
            .ok_or_else(|| ArchiveError::Unreadable(format!("{} could not be read", names[index])))
    })
}
