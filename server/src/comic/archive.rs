//! Reading `.cbz` archives within fixed limits, and the only code that writes them.
//!
//! Every read is bounded on the bytes actually inflated, never on what an entry's header
//! claims: a 1 MiB file whose ComicInfo.xml inflates to 1 GiB fails that file, not the server.
//! Every write goes through a temp file that is recorded in a [`TempLedger`] before it is
//! created, so clean-up after a crash removes exactly the files Longbox made and nothing that
//! merely looks like them.

use std::io::Read;
use std::path::{Path, PathBuf};

pub use app::naming::TEMP_PREFIX;

mod page;
pub use page::{read_chosen, Choose};

/// Largest ComicInfo.xml read, in inflated bytes.
pub const MAX_COMIC_INFO_BYTES: u64 = 1024 * 1024;

/// Largest single entry read into memory (a page for a cover), in inflated bytes.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

/// Most entries an archive may have.
pub const MAX_ENTRIES: usize = 10_000;

/// Image file endings counted as pages.
const IMAGE_ENDINGS: [&str; 7] = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp"];

/// Entry endings of archives inside an archive, which Longbox refuses to open (`.cbr` too).
pub(crate) const NESTED_ENDINGS: [&str; 7] =
    [".zip", ".cbz", ".rar", ".cbr", ".7z", ".cb7", ".tar"];

/// Whether an archive entry is a page image.
pub fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    IMAGE_ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// Why an archive could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The file could not be opened or is not a valid archive.
    #[error("{0}")]
    Unreadable(String),
    /// The archive is over one of the named limits (entries, inflated size).
    #[error("{0}")]
    OverLimit(String),
    /// The archive holds something Longbox does not open (encrypted or nested archives).
    #[error("{0}")]
    Refused(String),
    /// Writing the new archive failed; the original is untouched.
    #[error("{0}")]
    Write(String),
}

impl From<ArchiveError> for String {
    fn from(e: ArchiveError) -> Self {
        e.to_string()
    }
}

/// What a `.cbz` holds, as far as the UI cares.
#[derive(Debug, Clone, PartialEq)]
pub struct CbzSummary {
    /// Image entries.
    pub page_count: u32,
    /// ComicInfo.xml fields, if the archive has one.
    pub comic_info: Option<Vec<(String, String)>>,
    /// ComicInfo.xml as stored (at most [`MAX_COMIC_INFO_BYTES`]), for rewriting it.
    pub xml: Option<String>,
}

/// Opens a `.cbz` and checks its entry count and entries against the limits.
fn open_checked(path: &Path) -> Result<zip::ZipArchive<std::fs::File>, ArchiveError> {
    let file = std::fs::File::open(path).map_err(|e| ArchiveError::Unreadable(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| ArchiveError::Unreadable(format!("not a valid .cbz: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(ArchiveError::OverLimit(format!(
            "archive has {} entries; the limit is {MAX_ENTRIES}",
            zip.len()
        )));
    }
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ArchiveError::Unreadable(e.to_string()))?;
        if entry.encrypted() {
            return Err(ArchiveError::Refused(format!(
                "entry {:?} is encrypted; encrypted archives are not supported",
                entry.name()
            )));
        }
        let lower = entry.name().to_ascii_lowercase();
        if NESTED_ENDINGS.iter().any(|e| lower.ends_with(e)) {
            return Err(ArchiveError::Refused(format!(
                "entry {:?} is an archive inside the archive; nested archives are not supported",
                entry.name()
            )));
        }
    }
    Ok(zip)
}

/// Reads entry `index` into memory, failing once more than `limit` (and never more than
/// [`MAX_ENTRY_BYTES`]) bytes have been inflated, whatever its header says.
fn read_entry(
    zip: &mut zip::ZipArchive<std::fs::File>,
    index: usize,
    limit: u64,
) -> Result<Vec<u8>, ArchiveError> {
    let limit = limit.min(MAX_ENTRY_BYTES);
    let entry = zip
        .by_index(index)
        .map_err(|e| ArchiveError::Unreadable(e.to_string()))?;
    let name = entry.name().to_string();
    let mut bytes = Vec::with_capacity(entry.size().min(limit) as usize);
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ArchiveError::Unreadable(format!("{name}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(ArchiveError::OverLimit(format!(
            "{name} inflates to more than {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// Reads a `.cbz`'s page count and ComicInfo.xml, within the limits.
pub fn summarize(path: &Path) -> Result<CbzSummary, ArchiveError> {
    let mut zip = open_checked(path)?;
    let mut page_count = 0;
    let mut info_index = None;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ArchiveError::Unreadable(e.to_string()))?;
        let name = entry.name();
        if is_image(name) {
            page_count += 1;
        } else if name.eq_ignore_ascii_case("ComicInfo.xml") {
            info_index = Some(i);
        }
    }
    let (comic_info, xml) = match info_index {
        Some(i) => {
            let bytes = read_entry(&mut zip, i, MAX_COMIC_INFO_BYTES)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| ArchiveError::Unreadable("ComicInfo.xml is not UTF-8".into()))?;
            let fields = super::comicinfo::parse(&text).map_err(ArchiveError::Unreadable)?;
            (Some(fields), Some(text))
        }
        None => (None, None),
    };
    Ok(CbzSummary {
        page_count,
        comic_info,
        xml,
    })
}

/// Where Longbox notes its temp files before creating them, so that clean-up after a crash
/// deletes only those (the store implements it; tests may use their own).
pub trait TempLedger {
    /// Records `temp` (about to be created) as a temp file of `target`.
    fn record(&self, temp: &Path, target: &Path) -> Result<(), String>;
    /// Forgets `temp` (renamed into place or removed).
    fn release(&self, temp: &Path);
    /// Every recorded temp file.
    fn recorded(&self) -> Vec<PathBuf>;
}

/// A step of an archive rewrite, for fault injection in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStep {
    /// Writing the new archive's bytes.
    Write,
    /// Flushing them to disk.
    Fsync,
    /// Renaming the temp file over the original.
    Rename,
}

/// Rewrites a `.cbz` with `comic_info_xml` as its ComicInfo.xml (`None`: without one, as undo
/// restores an archive that had none), crash-safely: the new archive
/// is written to a recorded temporary file in the same folder (every other entry copied raw, in
/// order, no recompression), fsynced, then renamed over the old one and the folder fsynced. A
/// crash at any instant leaves the old archive or the new one, complete. `fail_at` makes that
/// step fail (fault injection for tests; `None` in production).
pub fn write_comic_info(
    path: &Path,
    comic_info_xml: Option<&str>,
    ledger: &dyn TempLedger,
    fail_at: Option<WriteStep>,
) -> Result<(), ArchiveError> {
    let dir = path
        .parent()
        .ok_or_else(|| ArchiveError::Write("archive has no folder".into()))?;
    let tmp = dir.join(format!("{TEMP_PREFIX}{}.cbz", uuid::Uuid::new_v4()));
    ledger.record(&tmp, path).map_err(ArchiveError::Write)?;
    let injected = |step: WriteStep| -> Result<(), String> {
        match fail_at {
            Some(s) if s == step => Err(format!("injected fault at {step:?}")),
            _ => Ok(()),
        }
    };
    let result = write_to(path, &tmp, comic_info_xml, &injected).and_then(|()| {
        injected(WriteStep::Rename)
            .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()))
            .map_err(|e| format!("cannot replace archive: {e}"))?;
        sync_dir(dir);
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    ledger.release(&tmp);
    result.map_err(ArchiveError::Write)
}

fn write_to(
    src: &Path,
    tmp: &Path,
    xml: Option<&str>,
    injected: &dyn Fn(WriteStep) -> Result<(), String>,
) -> Result<(), String> {
    let mut zip = open_checked(src).map_err(String::from)?;
    let out = std::fs::File::create(tmp).map_err(|e| format!("cannot write next to it: {e}"))?;
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut wrote_info = false;
    let write_info = |w: &mut zip::ZipWriter<_>| -> Result<(), String> {
        use std::io::Write;
        let Some(xml) = xml else { return Ok(()) };
        w.start_file("ComicInfo.xml", options)
            .map_err(|e| e.to_string())?;
        w.write_all(xml.as_bytes()).map_err(|e| e.to_string())
    };
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        if entry.name().eq_ignore_ascii_case("ComicInfo.xml") {
            if !wrote_info {
                drop(entry);
                write_info(&mut writer)?;
                wrote_info = true;
            }
            continue;
        }
        writer.raw_copy_file(entry).map_err(|e| e.to_string())?;
    }
    if !wrote_info {
        write_info(&mut writer)?;
    }
    injected(WriteStep::Write)?;
    let buffered = writer.finish().map_err(|e| e.to_string())?;
    let file = buffered.into_inner().map_err(|e| e.to_string())?;
    injected(WriteStep::Fsync)?;
    file.sync_all().map_err(|e| e.to_string())
}

/// Makes a rename durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Renames `from` to `to` atomically, refusing to replace an existing `to`
/// (`renameat2(RENAME_NOREPLACE)`, with a check-then-rename fallback where unsupported).
pub fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let f = CString::new(from.as_os_str().as_bytes())?;
        let t = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                f.as_ptr(),
                libc::AT_FDCWD,
                t.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            if let Some(dir) = to.parent() {
                sync_dir(dir);
            }
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINVAL) && err.raw_os_error() != Some(libc::ENOSYS) {
            return Err(err);
        }
    }
    if to.exists() {
        return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
    }
    std::fs::rename(from, to)
}

/// Deletes the recorded temp files whose final rename never happened (a crash mid-write) and
/// forgets them. Nothing is deleted by name pattern: a file Longbox did not record stays.
/// Returns how many files were removed.
pub fn remove_recorded_temp_files(ledger: &dyn TempLedger) -> usize {
    let mut removed = 0;
    for temp in ledger.recorded() {
        let is_file = std::fs::symlink_metadata(&temp).is_ok_and(|m| m.is_file());
        if is_file && std::fs::remove_file(&temp).is_ok() {
            removed += 1;
        }
        ledger.release(&temp);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflate = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            zip.start_file(*name, deflate).unwrap();
            zip.write_all(bytes).unwrap();
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&zip.finish().unwrap().into_inner()).unwrap();
        file
    }

    #[test]
    fn comic_info_is_read_within_its_inflated_limit() {
        let big = vec![b'a'; MAX_COMIC_INFO_BYTES as usize + 1];
        let bomb = zip_with(&[("001.png", b"x"), ("ComicInfo.xml", &big)]);
        let err = summarize(bomb.path()).unwrap_err();
        assert!(matches!(err, ArchiveError::OverLimit(_)), "{err}");
        let xml = b"<ComicInfo><Series>S</Series></ComicInfo>";
        let fine = zip_with(&[("001.png", b"x"), ("ComicInfo.xml", xml)]);
        let summary = summarize(fine.path()).unwrap();
        assert_eq!(summary.page_count, 1);
        assert_eq!(summary.xml.as_deref().map(str::as_bytes), Some(&xml[..]));
    }

    #[test]
    fn nested_archives_and_too_many_entries_are_refused() {
        let nested = zip_with(&[("001.png", b"x"), ("more.CBZ", b"PK")]);
        assert!(matches!(
            summarize(nested.path()),
            Err(ArchiveError::Refused(_))
        ));
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("{i}.png")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let crowded = zip_with(&entries);
        assert!(matches!(
            summarize(crowded.path()),
            Err(ArchiveError::OverLimit(_))
        ));
    }
}
