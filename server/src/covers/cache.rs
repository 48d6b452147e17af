//! Thumbnails on disk under the data dir, one file per content hash:
//! `covers/<first two hex digits>/<key>.jpg`.
//!
//! Keyed by the hash of the cover page's bytes (not of the archive, not of the path): a
//! renamed or moved file keeps its thumbnail, a rewrite that leaves the cover page alone (the
//! ComicInfo.xml Longbox writes) finds it again without decoding, and identical covers share
//! one file. Hashing the page costs a read of that page only, where hashing the archive would
//! read every page. Writes go to `covers/tmp/` and are renamed into place, so a thumbnail is
//! complete or absent; `covers/tmp/` belongs to Longbox alone and is emptied at start.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when thumbnails are made differently (size, quality), so old ones are not reused.
const THUMB_VERSION: &[u8] = b"longbox-cover-v1";

/// Hex digits of a key (128 bits of SHA-256).
pub const KEY_LEN: usize = 32;

/// The key of a thumbnail made from `page` (its bytes as stored in the archive).
pub fn key_of(page: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(THUMB_VERSION)
        .chain_update(page)
        .finalize();
    let mut key = String::with_capacity(KEY_LEN);
    for b in &digest[..KEY_LEN / 2] {
        key.push_str(&format!("{b:02x}"));
    }
    key
}

/// Whether `key` is a key (and so safe as a file name).
pub fn is_key(key: &str) -> bool {
    key.len() == KEY_LEN && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The thumbnail folder.
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `data_dir/covers`, with leftovers of interrupted writes removed.
    pub fn open(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join("covers");
        let tmp = dir.join("tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(Self { dir })
    }

    fn path(&self, key: &str) -> PathBuf {
        debug_assert!(is_key(key));
        self.dir.join(&key[..2]).join(format!("{key}.jpg"))
    }

    /// Whether the thumbnail of `key` is stored.
    pub fn has(&self, key: &str) -> bool {
        self.path(key).is_file()
    }

    /// The stored thumbnail of `key`, if any.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(key)).ok()
    }

    /// Stores the thumbnail of `key` (complete or not at all).
    pub fn put(&self, key: &str, jpeg: &[u8]) -> std::io::Result<()> {
        let target = self.path(key);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let tmp = self
            .dir
            .join("tmp")
            .join(format!("{}.jpg", uuid::Uuid::new_v4()));
        std::fs::write(&tmp, jpeg)?;
        std::fs::rename(&tmp, &target).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

impl Cache {
    /// Removes the thumbnails whose key is not in `used` (their files changed or left the
    /// library); returns how many. Only files named like thumbnails, in the key folders, are
    /// looked at. A thumbnail made meanwhile and removed here is made again when asked for.
    pub fn remove_unused(&self, used: &std::collections::HashSet<String>) -> usize {
        let mut removed = 0;
        let Ok(folders) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        for folder in folders.flatten() {
            let name = folder.file_name().to_string_lossy().into_owned();
            if name.len() != 2 || !folder.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(folder.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let file_name = file.file_name().to_string_lossy().into_owned();
                let Some(key) = file_name.strip_suffix(".jpg") else {
                    continue;
                };
                if is_key(key) && !used.contains(key) && std::fs::remove_file(file.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_bytes_and_are_safe_names() {
        let (a, b) = (key_of(b"page one"), key_of(b"page two"));
        assert_ne!(a, b);
        assert_eq!(a, key_of(b"page one"));
        assert!(is_key(&a) && is_key(&b));
        assert!(!is_key("../../etc/passwd") && !is_key(&a.to_uppercase()));
    }

    #[test]
    fn a_stored_thumbnail_is_found_by_key_and_tmp_is_emptied_at_open() {
        let data = tempfile::tempdir().unwrap();
        let cache = Cache::open(data.path()).unwrap();
        let key = key_of(b"x");
        assert!(!cache.has(&key));
        cache.put(&key, b"jpeg").unwrap();
        assert_eq!(cache.get(&key).as_deref(), Some(&b"jpeg"[..]));
        std::fs::write(data.path().join("covers/tmp/left.jpg"), b"half").unwrap();
        let cache = Cache::open(data.path()).unwrap();
        assert!(cache.has(&key));
        assert!(!data.path().join("covers/tmp/left.jpg").exists());
        let other = key_of(b"y");
        cache.put(&other, b"jpeg").unwrap();
        let used = std::collections::HashSet::from([key.clone()]);
        assert_eq!(cache.remove_unused(&used), 1);
        assert!(cache.has(&key) && !cache.has(&other));
    }
}
