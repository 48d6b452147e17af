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

use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use unrar::error::{Code, UnrarError};
use unrar::{Archive, CursorBeforeHeader, FileHeader, OpenArchive, Process, VolumeInfo};

use super::archive::{self, ArchiveError, CbzSummary, TempLedger, TEMP_PREFIX};

/// Most bytes a `.cbr`'s entries may unpack to in all: bounds the disk a conversion takes and
/// the time a summary of a solid archive (where reaching an entry unpacks those before it) takes.
pub const MAX_TOTAL_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Entry endings of archives inside an archive, which Longbox refuses to open (as for `.cbz`).
const NESTED_ENDINGS: [&str; 7] = [".zip", ".cbz", ".rar", ".cbr", ".7z", ".cb7", ".tar"];

/// Page endings already compressed, stored as they are in a converted `.cbz`.
const COMPRESSED_IMAGE_ENDINGS: [&str; 6] = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"];

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

/// Converts a `.cbr` to `<same folder>/<same stem>.cbz`: every entry copied byte for byte in
/// the RAR's order into a recorded temp file, fsynced, verified (entries and their SHA-256),
/// then renamed into place, never over an existing file. The `.cbr` is left as it is.
pub fn convert_to_cbz(src: &Path, ledger: &dyn TempLedger) -> Result<PathBuf, ArchiveError> {
    convert_to_cbz_with(src, ledger, Limits::DEFAULT)
}

/// [`convert_to_cbz`] within `limits` (for tests).
pub fn convert_to_cbz_with(
    src: &Path,
    ledger: &dyn TempLedger,
    limits: Limits,
) -> Result<PathBuf, ArchiveError> {
    let (Some(dir), Some(stem)) = (src.parent(), src.file_stem()) else {
        return Err(ArchiveError::Write("archive has no folder or name".into()));
    };
    let mut name = stem.to_os_string();
    name.push(".cbz");
    let target = dir.join(name);
    if target.exists() {
        return Err(duplicate(&target));
    }
    let entries = guarded(|| list(src, limits))?;
    if entries.is_empty() {
        return Err(ArchiveError::Unreadable(
            "archive holds no files to convert".into(),
        ));
    }
    if let Some(e) = entries.iter().find(|e| !is_safe_name(&e.name)) {
        let e = format!(
            "entry {:?} would be extracted outside the archive's folder",
            e.name
        );
        return Err(ArchiveError::Refused(e));
    }
    let tmp = dir.join(format!("{TEMP_PREFIX}{}.cbz", uuid::Uuid::new_v4()));
    ledger.record(&tmp, &target).map_err(ArchiveError::Write)?;
    let result = guarded(|| write_cbz(src, &tmp, limits))
        .and_then(|written| verify(&tmp, &written, limits))
        .and_then(|()| {
            archive::rename_no_replace(&tmp, &target).map_err(|e| match e.kind() {
                ErrorKind::AlreadyExists => duplicate(&target),
                _ => ArchiveError::Write(format!("cannot rename the new .cbz into place: {e}")),
            })
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    ledger.release(&tmp);
    result.map(|()| target)
}

fn duplicate(target: &Path) -> ArchiveError {
    ArchiveError::Write(format!(
        "{} already exists; not overwriting it (a duplicate of this comic?)",
        target.display()
    ))
}

/// Whether `name` stays inside the archive when extracted.
fn is_safe_name(name: &str) -> bool {
    !name.starts_with('/') && !name.split('/').any(|part| part == "..")
}

/// An entry's name and the SHA-256 of its bytes.
type Hashed = (String, [u8; 32]);

fn write_err(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Write(format!("cannot write the new .cbz: {e}"))
}

/// Writes every file entry of `src` into a new zip at `tmp` (created, never replaced), fsynced.
/// Returns each entry's name and SHA-256, to verify the new `.cbz` against.
fn write_cbz(src: &Path, tmp: &Path, limits: Limits) -> Result<Vec<Hashed>, ArchiveError> {
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|e| ArchiveError::Write(format!("cannot write next to it: {e}")))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let mut written = Vec::new();
    walk(src, limits, &|_, _| Step::Read, &mut |entry, bytes| {
        let lower = entry.name.to_ascii_lowercase();
        let method = if COMPRESSED_IMAGE_ENDINGS.iter().any(|e| lower.ends_with(e)) {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let mut options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .unix_permissions(0o644);
        let (date, time) = ((entry.dos_time >> 16) as u16, entry.dos_time as u16);
        if let Ok(t) = zip::DateTime::try_from_msdos(date, time) {
            options = options.last_modified_time(t);
        }
        zip.start_file(entry.name.as_str(), options)
            .map_err(write_err)?;
        zip.write_all(&bytes).map_err(write_err)?;
        written.push((entry.name, Sha256::digest(&bytes).into()));
        Ok(())
    })?;
    let file = zip.finish().map_err(write_err)?;
    file.into_inner()
        .map_err(write_err)?
        .sync_all()
        .map_err(write_err)?;
    Ok(written)
}

/// Re-reads the new zip from disk: the same entries, in order, with the same SHA-256.
fn verify(tmp: &Path, written: &[Hashed], limits: Limits) -> Result<(), ArchiveError> {
    let fail = |what: String| ArchiveError::Write(format!("the new .cbz did not verify: {what}"));
    let file = std::fs::File::open(tmp).map_err(|e| fail(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| fail(e.to_string()))?;
    if zip.len() != written.len() {
        return Err(fail(format!(
            "{} entries, not {}",
            zip.len(),
            written.len()
        )));
    }
    for (i, (name, sha256)) in written.iter().enumerate() {
        let entry = zip.by_index(i).map_err(|e| fail(e.to_string()))?;
        if entry.name() != name {
            return Err(fail(format!(
                "entry {i} is {:?}, not {name:?}",
                entry.name()
            )));
        }
        let mut bytes = Vec::new();
        entry
            .take(limits.entry_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(format!("{name}: {e}")))?;
        if <[u8; 32]>::from(Sha256::digest(&bytes)) != *sha256 {
            return Err(fail(format!("{name} differs from the .cbr's")));
        }
    }
    Ok(())
}

/// Removes a converted `.cbr`: moves it into `trash` (created if missing; ` (1)`, ` (2)`… added
/// on a name clash, never replacing a file) or, without a trash folder, deletes it.
pub fn remove_or_trash(original: &Path, trash: Option<&Path>) -> Result<(), ArchiveError> {
    let fail = |e: std::io::Error| {
        ArchiveError::Write(format!("cannot remove {}: {e}", original.display()))
    };
    let Some(trash) = trash else {
        return std::fs::remove_file(original).map_err(fail);
    };
    std::fs::create_dir_all(trash).map_err(fail)?;
    let name = Path::new(
        original
            .file_name()
            .ok_or_else(|| fail(ErrorKind::InvalidInput.into()))?,
    );
    let stem = name.file_stem().unwrap_or_default().to_string_lossy();
    let ext = name
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 0..10_000u32 {
        let candidate = match n {
            0 => trash.join(name),
            _ => trash.join(format!("{stem} ({n}){ext}")),
        };
        match archive::rename_no_replace(original, &candidate) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(fail(e)),
        }
    }
    Err(fail(ErrorKind::AlreadyExists.into()))
}
