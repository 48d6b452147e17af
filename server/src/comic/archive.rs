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

/// Prefix of Longbox's temporary files; the scanner and watcher ignore them.
pub const TEMP_PREFIX: &str = ".longbox-tmp-";

/// Rewrites a `.cbz` with `comic_info_xml` as its ComicInfo.xml, crash-safely: the new archive
/// is written to a temporary file in the same folder (every other entry copied raw, in order, no
/// recompression), fsynced, then renamed over the old one and the folder fsynced. A crash at any
/// instant leaves the old archive or the new one, complete.
pub fn write_comic_info(path: &Path, comic_info_xml: &str) -> Result<(), String> {
    let dir = path.parent().ok_or("archive has no folder")?;
    let tmp = dir.join(format!("{TEMP_PREFIX}{}.cbz", uuid::Uuid::new_v4()));
    let result = write_to(path, &tmp, comic_info_xml).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| format!("cannot replace archive: {e}"))?;
        sync_dir(dir);
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(src: &Path, tmp: &Path, xml: &str) -> Result<(), String> {
    let input = std::fs::File::open(src).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(input))
        .map_err(|e| format!("not a valid .cbz: {e}"))?;
    let out = std::fs::File::create(tmp).map_err(|e| format!("cannot write next to it: {e}"))?;
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut wrote_info = false;
    let write_info = |w: &mut zip::ZipWriter<_>| -> Result<(), String> {
        use std::io::Write;
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
    let buffered = writer.finish().map_err(|e| e.to_string())?;
    let file = buffered.into_inner().map_err(|e| e.to_string())?;
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

/// Deletes temporary files a crash left behind.
pub fn remove_stale_temp_files(library: &Path) -> usize {
    walkdir::WalkDir::new(library)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && e.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}
