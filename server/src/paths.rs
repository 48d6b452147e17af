//! The only place that turns client paths into disk paths, and disk paths into client paths.
//!
//! A client path is relative to the library and `/`-separated. Anything that could escape the
//! library is refused: `..`, `.` and empty segments, absolute paths, drive letters, backslashes,
//! NUL bytes, percent-encoded separators or dots (double-encoding), and symlinks that resolve
//! outside the library.

use std::path::{Component, Path, PathBuf};

/// Why a client path was refused (always a 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path {path:?}: {reason}")]
pub struct PathError {
    /// The path as given (NULs shown escaped).
    pub path: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A checked path relative to the library, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath(String);

impl RelPath {
    /// Checks a client-supplied path.
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        let refuse = |reason| PathError {
            path: raw.replace('\0', "\\0"),
            reason,
        };
        if raw.is_empty() {
            return Err(refuse("empty"));
        }
        if raw.contains('\0') {
            return Err(refuse("contains a NUL byte"));
        }
        if raw.contains('\\') {
            return Err(refuse("backslashes are not allowed; use '/'"));
        }
        let lower = raw.to_ascii_lowercase();
        if ["%2e", "%2f", "%5c", "%00"]
            .iter()
            .any(|p| lower.contains(p))
        {
            return Err(refuse("percent-encoded separators or dots are not allowed"));
        }
        if raw.starts_with('/') {
            return Err(refuse("absolute paths are not allowed"));
        }
        if raw.len() >= 2 && raw.as_bytes()[1] == b':' {
            return Err(refuse("drive letters are not allowed"));
        }
        for segment in raw.split('/') {
            match segment {
                "" => return Err(refuse("empty path segment")),
                "." | ".." => return Err(refuse("'.' and '..' segments are not allowed")),
                _ => {}
            }
        }
        Ok(RelPath(raw.to_string()))
    }

    /// The relative path of a disk path inside `library` (trusted input, e.g. from a scan).
    pub fn from_disk(library: &Path, path: &Path) -> Option<Self> {
        let rel = path.strip_prefix(library).ok()?;
        let mut parts = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_str()?),
                _ => return None,
            }
        }
        (!parts.is_empty()).then(|| RelPath(parts.join("/")))
    }

    /// The `/`-separated text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file name (last segment).
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The folder (`""` at the library root).
    pub fn folder(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(f, _)| f)
    }

    /// The sibling path with another file name.
    pub fn with_name(&self, name: &str) -> RelPath {
        match self.folder() {
            "" => RelPath(name.to_string()),
            folder => RelPath(format!("{folder}/{name}")),
        }
    }

    /// The path on disk, without checking symlinks (for paths Longbox found itself).
    pub fn on_disk(&self, library: &Path) -> PathBuf {
        library.join(&self.0)
    }

    /// The path on disk after checking that every symlink on the way stays inside the library.
    /// A path that does not exist resolves through its deepest existing ancestor; a dangling
    /// symlink on the way is refused (creating the file would follow it wherever it points).
    pub fn resolve(&self, library: &Path) -> Result<PathBuf, PathError> {
        let joined = library.join(&self.0);
        let mut probe = joined.as_path();
        let resolved = loop {
            match probe.canonicalize() {
                Ok(real) => break real,
                Err(_) if std::fs::symlink_metadata(probe).is_ok() => {
                    return Err(PathError {
                        path: self.0.clone(),
                        reason: "goes through a symlink that points nowhere",
                    })
                }
                Err(_) => match probe.parent() {
                    Some(parent) => probe = parent,
                    None => break PathBuf::new(),
                },
            }
        };
        if !resolved.starts_with(library) {
            return Err(PathError {
                path: self.0.clone(),
                reason: "resolves outside the library",
            });
        }
        Ok(joined)
    }
}

impl std::fmt::Display for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a file name is a comic archive Longbox manages (`.cbz` / `.cbr`, any case), and not
/// one of its own temporary files.
pub fn is_comic(name: &str) -> bool {
    if name.starts_with(".longbox-") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".cbz") || lower.ends_with(".cbr")
}

/// What a URL path segment keeps unescaped: the unreserved characters (as the UI's encoder).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A library path percent-encoded per segment, for a URL.
pub fn url_encoded(path: &str) -> String {
    path.split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The URL of a file's cover thumbnail (see the covers module): with `?v=<key>` once it is made,
/// so the URL changes whenever the thumbnail does and may be cached for good; without it while
/// not made yet (the server makes it when asked); `None` once it is known it cannot be made.
pub fn cover_url(path: &str, key: Option<&str>, failed: bool) -> Option<String> {
    (!failed || key.is_some()).then(|| app::api::paths::cover(&url_encoded(path), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_urls_escape_the_path_and_carry_the_key() {
        assert_eq!(
            cover_url("Saga/Saga #3 (2012).cbz", Some("ab12"), false).as_deref(),
            Some(
                app::api::paths::COVER
                    .replace("{*path}", "Saga/Saga%20%233%20%282012%29.cbz?v=ab12")
                    .as_str()
            )
        );
        assert!(cover_url("a.cbz", None, false).is_some_and(|u| !u.contains('?')));
        assert_eq!(cover_url("a.cbz", None, true), None);
    }

    #[test]
    fn accepts_plain_relative_paths() {
        for ok in [
            "a.cbz",
            "Saga/Saga #003 (2012).cbz",
            "a b/c d/e f.CBR",
            "x..y/z.cbz",
        ] {
            assert_eq!(RelPath::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_every_escape() {
        for bad in [
            "",
            "../x.cbz",
            "a/../../x.cbz",
            "a/..",
            "..",
            "./a.cbz",
            "a//b.cbz",
            "/etc/passwd",
            "a\\..\\b.cbz",
            "..\\x",
            "C:/x.cbz",
            "c:x",
            "a\0b.cbz",
            "%2e%2e/x.cbz",
            "%2E%2E%2Fx",
            "a%2fb",
            "a%5cb",
            "a/",
            "a%00",
        ] {
            assert!(RelPath::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn names_and_folders() {
        let p = RelPath::parse("A/B/c.cbz").unwrap();
        assert_eq!(p.name(), "c.cbz");
        assert_eq!(p.folder(), "A/B");
        assert_eq!(p.with_name("d.cbz").as_str(), "A/B/d.cbz");
        let root = RelPath::parse("c.cbz").unwrap();
        assert_eq!(root.folder(), "");
        assert_eq!(root.with_name("d.cbz").as_str(), "d.cbz");
    }

    #[test]
    fn comic_extensions() {
        assert!(is_comic("a.cbz") && is_comic("A.CBR") && is_comic("x.CbZ"));
        assert!(!is_comic("a.zip") && !is_comic(".longbox-tmp-1.cbz") && !is_comic("cbz"));
    }
}
