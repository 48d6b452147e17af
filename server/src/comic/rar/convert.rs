//! CBR → CBZ: every entry copied byte for byte into a recorded temp file, verified page by
//! page (SHA-256) before it takes its name, never over an existing file.

use super::{guarded, list, walk, Limits, Step};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::comic::archive::{self, ArchiveError, TempLedger, TEMP_PREFIX};

/// Page endings already compressed, stored as they are in a converted `.cbz`.
const COMPRESSED_IMAGE_ENDINGS: [&str; 6] = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"];

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
