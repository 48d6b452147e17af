//! Reading `.cbr` (RAR4 and RAR5) archives within the `.cbz` limits, and converting them to
//! verified `.cbz` files.
//!
//! The `unrar` crate reads an entry only whole, into a `Vec`, with no way to stop part-way. So
//! an entry's unpacked size as its header states it is checked against the limit before the
//! entry is read, and the length actually produced is checked after. The first check bounds the
//! second: unrar's unpackers stop writing at the header's size (`DestUnpSize`), a header whose
//! size is "unknown" reports about 2^63 and is refused, and data that would unpack to more or to
//! other bytes fails unrar's CRC32 check. Encrypted and multi-volume archives are refused from
//! their headers, before any data is unpacked.

use std::path::Path;
use std::sync::Mutex;

use unrar::error::{Code, UnrarError};
use unrar::{Archive, CursorBeforeHeader, FileHeader, OpenArchive, Process, VolumeInfo};

use super::archive::{self, ArchiveError, CbzSummary};

/// Most bytes a `.cbr`'s entries may unpack to in all: bounds the disk a conversion takes and
/// the time a summary of a solid archive (where reaching an entry unpacks those before it) takes.
pub const MAX_TOTAL_BYTES: u64 = 4 * 1024 * 1024 * 1024;

use super::archive::NESTED_ENDINGS;

/// The unrar library keeps its error state in one process-wide variable, so it is used by one
/// thread at a time.
static UNRAR: Mutex<()> = Mutex::new(());

/// The limits a read or conversion works within ([`Limits::DEFAULT`]; tests lower them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (directories included).
    pub entries: usize,
    /// Largest entry, in unpacked bytes.
    pub entry_bytes: u64,
    /// Largest ComicInfo.xml, in unpacked bytes.
    pub comic_info_bytes: u64,
    /// Most unpacked bytes of all entries together.
    pub total_bytes: u64,
}

impl Limits {
    /// The limits of `.cbz` files, plus [`MAX_TOTAL_BYTES`].
    pub const DEFAULT: Limits = Limits {
        entries: archive::MAX_ENTRIES,
        entry_bytes: archive::MAX_ENTRY_BYTES,
        comic_info_bytes: archive::MAX_COMIC_INFO_BYTES,
        total_bytes: MAX_TOTAL_BYTES,
    };
}

/// A file entry whose header passed the checks.
struct Entry {
    name: String,
    size: u64,
    dos_time: u32,
}

impl Entry {
    fn is_comic_info(&self) -> bool {
        self.name.eq_ignore_ascii_case("ComicInfo.xml")
    }

    /// The most bytes this entry may unpack to.
    fn limit(&self, limits: &Limits) -> u64 {
        if self.is_comic_info() {
            limits.comic_info_bytes.min(limits.entry_bytes)
        } else {
            limits.entry_bytes
        }
    }
}

/// Counts entries and bytes while checking each header against the limits.
struct Checker(Limits, usize, u64);

impl Checker {
    /// Checks one header; `None` for a directory.
    fn check(&mut self, h: &FileHeader) -> Result<Option<Entry>, ArchiveError> {
        let Checker(limits, entries, total) = self;
        *entries += 1;
        if *entries > limits.entries {
            let e = format!("archive has more than {} entries", limits.entries);
            return Err(ArchiveError::OverLimit(e));
        }
        let Some(name) = h.filename.to_str().map(|n| n.replace('\\', "/")) else {
            return Err(ArchiveError::Unreadable(
                "an entry name is not Unicode".into(),
            ));
        };
        let refuse = |why: &str| Err(ArchiveError::Refused(format!("entry {name:?} {why}")));
        if h.is_encrypted() {
            return refuse("is encrypted; encrypted archives are not supported");
        }
        if h.is_split() {
            return refuse("continues in another volume; multi-volume archives are not supported");
        }
        if h.is_directory() {
            return Ok(None);
        }
        let lower = name.to_ascii_lowercase();
        if NESTED_ENDINGS.iter().any(|e| lower.ends_with(e)) {
            return refuse("is an archive inside the archive; nested archives are not supported");
        }
        let (size, dos_time) = (h.unpacked_size, h.file_time);
        let entry = Entry {
            name,
            size,
            dos_time,
        };
        let limit = entry.limit(limits);
        *total = total.saturating_add(size);
        if size > limit {
            let e = format!(
                "{} unpacks to {size} bytes; the limit is {limit}",
                entry.name
            );
            return Err(ArchiveError::OverLimit(e));
        }
        if *total > limits.total_bytes {
            let e = format!("archive unpacks to more than {} bytes", limits.total_bytes);
            return Err(ArchiveError::OverLimit(e));
        }
        Ok(Some(entry))
    }
}

const ENCRYPTED: &str = "archive is password-protected; encrypted archives are not supported";

/// The archive error for an unrar error.
fn unrar_error(e: UnrarError) -> ArchiveError {
    match e.code {
        Code::MissingPassword | Code::BadPassword => ArchiveError::Refused(ENCRYPTED.into()),
        _ => ArchiveError::Unreadable(format!("not a valid .cbr: {e}")),
    }
}

/// Runs `f` holding the unrar lock, turning a panic inside the `unrar` crate (it unwraps codes
/// it does not know, e.g. "dictionary too large") into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, ArchiveError>) -> Result<T, ArchiveError> {
    let _lock = UNRAR.lock().unwrap_or_else(|p| p.into_inner());
    let failed = || ArchiveError::Unreadable("not a valid .cbr: the RAR library failed".into());
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| Err(failed()))
}

/// Refuses multi-volume archives and archives with encrypted headers.
fn check_archive(volume: VolumeInfo, encrypted_headers: bool) -> Result<(), ArchiveError> {
    let why = match (volume, encrypted_headers) {
        (VolumeInfo::None, false) => return Ok(()),
        (VolumeInfo::None, true) => ENCRYPTED,
        _ => "archive is one volume of several; multi-volume archives are not supported",
    };
    Err(ArchiveError::Refused(why.into()))
}

/// Opens `path` through unrar (which panics on a path with a NUL byte).
fn open(path: &Path) -> Result<Archive<'_>, ArchiveError> {
    if path.as_os_str().as_encoded_bytes().contains(&0) || !path.is_file() {
        return Err(ArchiveError::Unreadable(format!(
            "{} is not a file",
            path.display()
        )));
    }
    Ok(Archive::new(path))
}

/// Every file entry of `path`, checked against `limits`, without unpacking anything.
fn list(path: &Path, limits: Limits) -> Result<Vec<Entry>, ArchiveError> {
    let arc = open(path)?.open_for_listing().map_err(unrar_error)?;
    check_archive(arc.volume_info(), arc.has_encrypted_headers())?;
    let mut checker = Checker(limits, 0, 0);
    let mut entries = Vec::new();
    for header in arc {
        if let Some(entry) = checker.check(&header.map_err(unrar_error)?)? {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// What [`walk`] does with an entry.
enum Step {
    Skip,
    /// Unpack and check the CRC, keeping nothing.
    Test,
    Read,
}

/// Walks `path`'s file entries in order, doing `step(index, entry)` to each and handing those
/// read (within their limit, on the bytes produced) to `take`.
fn walk(
    path: &Path,
    limits: Limits,
    step: &dyn Fn(usize, &Entry) -> Step,
    take: &mut dyn FnMut(Entry, Vec<u8>) -> Result<(), ArchiveError>,
) -> Result<(), ArchiveError> {
    let mut arc: OpenArchive<Process, CursorBeforeHeader> =
        open(path)?.open_for_processing().map_err(unrar_error)?;
    check_archive(arc.volume_info(), arc.has_encrypted_headers())?;
    let mut checker = Checker(limits, 0, 0);
    let mut index = 0;
    while let Some(at) = arc.read_header().map_err(unrar_error)? {
        let Some(entry) = checker.check(at.entry())? else {
            arc = at.skip().map_err(unrar_error)?;
            continue;
        };
        index += 1;
        match step(index - 1, &entry) {
            Step::Skip => arc = at.skip().map_err(unrar_error)?,
            Step::Test => arc = at.test().map_err(unrar_error)?,
            Step::Read => {
                let (bytes, next) = at.read().map_err(unrar_error)?;
                let (len, limit) = (bytes.len() as u64, entry.limit(&limits));
                if len > limit {
                    let e = format!("{} unpacks to more than {limit} bytes", entry.name);
                    return Err(ArchiveError::OverLimit(e));
                }
                if len != entry.size {
                    let e = format!("{} unpacked to {len} bytes, not {}", entry.name, entry.size);
                    return Err(ArchiveError::Unreadable(e));
                }
                take(entry, bytes)?;
                arc = next;
            }
        }
    }
    Ok(())
}

/// Reads a `.cbr`'s page count and ComicInfo.xml, within the `.cbz` limits.
pub fn summarize(path: &Path) -> Result<CbzSummary, ArchiveError> {
    summarize_with(path, Limits::DEFAULT)
}

/// [`summarize`] within `limits` (for tests).
pub fn summarize_with(path: &Path, limits: Limits) -> Result<CbzSummary, ArchiveError> {
    guarded(|| {
        let entries = list(path, limits)?;
        let pages = entries
            .iter()
            .filter(|e| archive::is_image(&e.name))
            .count();
        // ComicInfo.xml is read; the last entry is unpacked too, as a truncated file lists
        // cleanly up to its cut.
        let last = entries.len().checked_sub(1);
        let info = entries.iter().position(Entry::is_comic_info);
        let step = |i, _: &Entry| match (Some(i) == info, Some(i) == last) {
            (true, _) => Step::Read,
            (_, true) => Step::Test,
            _ => Step::Skip,
        };
        let mut xml = None;
        walk(path, limits, &step, &mut |_, bytes| {
            xml = Some(bytes);
            Ok(())
        })?;
        let (comic_info, xml) = match xml {
            Some(bytes) => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| ArchiveError::Unreadable("ComicInfo.xml is not UTF-8".into()))?;
                let fields = super::comicinfo::parse(&text).map_err(ArchiveError::Unreadable)?;
                (Some(fields), Some(text))
            }
            None => (None, None),
        };
        let page_count = u32::try_from(pages).unwrap_or(u32::MAX);
        Ok(CbzSummary {
            page_count,
            comic_info,
            xml,
        })
    })
}

mod convert;
mod page;
pub use convert::{convert_to_cbz, convert_to_cbz_with, remove_or_trash};
pub use page::read_chosen;
