//! Walking the library and reconciling what is on disk with what the database lists.

use crate::db::files::{Changes, DiskFile};
use crate::paths::{is_comic, RelPath};
use std::collections::HashMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Facts of one file on disk, or `None` if it is not a listable comic (gone, a folder, a
/// symlink, not `.cbz`/`.cbr`, or outside the library).
pub fn stat_file(library: &Path, rel: &RelPath) -> Option<DiskFile> {
    if !is_comic(rel.name()) {
        return None;
    }
    let meta = std::fs::symlink_metadata(rel.on_disk(library)).ok()?;
    if !meta.is_file() {
        return None;
    }
    Some(DiskFile {
        path: rel.clone(),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
    })
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Every comic at or below `dir` (a folder inside the library, or the library itself).
/// Symlinks are never followed, so nothing outside the library is listed.
pub fn walk(library: &Path, dir: &Path) -> Vec<DiskFile> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with(".longbox")
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && is_comic(&e.file_name().to_string_lossy()))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some(DiskFile {
                path: RelPath::from_disk(library, e.path())?,
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
            })
        })
        .collect()
}

/// What turns `stored` into `found`. A file that vanished and one that appeared with the same
/// size, mtime and name (or, failing that, a unique size and mtime) count as a rename, so its
/// markers and first-seen time follow it.
pub fn reconcile(stored: &HashMap<String, (u64, i64)>, found: Vec<DiskFile>) -> Changes {
    let mut changes = Changes::default();
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    let mut added = Vec::new();
    for f in found {
        seen.insert(f.path.as_str().to_string());
        match stored.get(f.path.as_str()) {
            None => added.push(f),
            Some(&(size, mtime)) if size != f.size || mtime != f.mtime_ns => {
                changes.changed.push(f)
            }
            Some(_) => {}
        }
    }
    let mut removed: Vec<String> = stored
        .keys()
        .filter(|p| !seen.contains(p.as_str()))
        .cloned()
        .collect();
    if !removed.is_empty() && !added.is_empty() {
        let mut by_facts: HashMap<(u64, i64), Vec<usize>> = HashMap::new();
        for (i, p) in removed.iter().enumerate() {
            by_facts.entry(stored[p]).or_default().push(i);
        }
        let mut taken = vec![false; removed.len()];
        added.retain(|f| {
            let Some(candidates) = by_facts.get(&(f.size, f.mtime_ns)) else {
                return true;
            };
            let free: Vec<usize> = candidates.iter().copied().filter(|i| !taken[*i]).collect();
            let same_name = free
                .iter()
                .copied()
                .find(|i| removed[*i].rsplit('/').next() == Some(f.path.name()));
            let pick = same_name.or_else(|| (free.len() == 1).then(|| free[0]));
            match pick {
                Some(i) => {
                    taken[i] = true;
                    changes.renamed.push((removed[i].clone(), f.clone()));
                    false
                }
                None => true,
            }
        });
        let mut i = 0;
        removed.retain(|_| {
            i += 1;
            !taken[i - 1]
        });
    }
    changes.added = added;
    changes.removed = removed;
    changes
}
