//! The files table: the library's file list with its markers and first-seen times, changed one
//! reconcile at a time; its list query and search index are in `db::search`.

use super::{search, Db};
use crate::paths::RelPath;
use app::api::{FilePage, FileQuery, FileRow};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// A file as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskFile {
    /// Path relative to the library.
    pub path: RelPath,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
}

/// What a reconcile changes, applied in one transaction.
#[derive(Debug, Default)]
pub struct Changes {
    /// New files.
    pub added: Vec<DiskFile>,
    /// Files whose size or mtime changed.
    pub changed: Vec<DiskFile>,
    /// Files gone from disk.
    pub removed: Vec<String>,
    /// Files that moved (old path, new facts); markers and first-seen follow them.
    pub renamed: Vec<(String, DiskFile)>,
}

impl Changes {
    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
    }

    /// "2 added, 1 removed" (or "no changes").
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
            (self.renamed.len(), "renamed"),
            (self.changed.len(), "changed"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        if parts.is_empty() {
            "no changes".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One stored file with its first-seen time.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    /// The listed facts.
    pub row: FileRow,
    /// Unix seconds when first seen.
    pub first_seen: f64,
}

/// Counts of the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileCounts {
    /// Files listed.
    pub total: u64,
    /// Files marked processed.
    pub processed: u64,
    /// Files marked duplicate.
    pub duplicates: u64,
}

/// The files table, borrowed from [`Db::files`].
pub struct Files<'a> {
    /// The database.
    db: &'a Db,
}

impl Db {
    /// The file list.
    pub fn files(&self) -> Files<'_> {
        Files { db: self }
    }
}

/// The key the list sorts by: folder, then name, case-insensitively.
fn sort_key(folder: &str, name: &str) -> String {
    format!("{}/{}", folder.to_lowercase(), name.to_lowercase())
}

/// The bounds of the paths strictly below folder `path`: `path/` up to `path0` (`0` follows `/`).
fn below(path: &str) -> (String, String) {
    (format!("{path}/"), format!("{path}0"))
}

impl Files<'_> {
    /// Every stored path with its size and mtime, for reconciling against a scan.
    pub fn snapshot(&self) -> anyhow::Result<HashMap<String, (u64, i64)>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached("SELECT path, size, mtime_ns FROM files")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, i64>(1)? as u64, r.get(2)?),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Size and mtime of the given stored paths.
    pub fn snapshot_of<'p>(
        &self,
        paths: impl Iterator<Item = &'p String>,
    ) -> anyhow::Result<HashMap<String, (u64, i64)>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached("SELECT size, mtime_ns FROM files WHERE path = ?1")?;
        let mut out = HashMap::new();
        for p in paths {
            if let Some(facts) = stmt
                .query_row([p], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
                .optional()?
            {
                out.insert(p.clone(), facts);
            }
        }
        Ok(out)
    }

    /// Applies a reconcile in one transaction.
    pub fn apply(&self, changes: &Changes, now: f64) -> anyhow::Result<()> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO files (path, name, folder, sort_key, size, mtime_ns, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                 cover_key = NULL, cover_error = NULL",
            )?;
            for f in changes.added.iter().chain(&changes.changed) {
                let (name, folder) = (f.path.name(), f.path.folder());
                insert.execute(params![
                    f.path.as_str(),
                    name,
                    folder,
                    sort_key(folder, name),
                    f.size as i64,
                    f.mtime_ns,
                    now
                ])?;
            }
            let mut remove = tx.prepare_cached("DELETE FROM files WHERE path = ?1")?;
            for p in &changes.removed {
                remove.execute([p])?;
            }
            // A moved file keeps its cover unless its contents changed on the way (a `.cbr`
            // converted to `.cbz`).
            let mut rename = tx.prepare_cached(
                "UPDATE files SET path = ?2, name = ?3, folder = ?4, sort_key = ?5, size = ?6,
                 mtime_ns = ?7,
                 cover_key = CASE WHEN size = ?6 AND mtime_ns = ?7 THEN cover_key END,
                 cover_error = CASE WHEN size = ?6 AND mtime_ns = ?7 THEN cover_error END
                 WHERE path = ?1",
            )?;
            for (from, f) in &changes.renamed {
                let (name, folder) = (f.path.name(), f.path.folder());
                // A file already listed at the target is replaced by the moved one.
                remove.execute([f.path.as_str()])?;
                rename.execute(params![
                    from,
                    f.path.as_str(),
                    name,
                    folder,
                    sort_key(folder, name),
                    f.size as i64,
                    f.mtime_ns
                ])?;
            }
            search::index_new_files(&tx)?;
        }
        tx.commit()?;
        self.db.changed.notify_one();
        Ok(())
    }

    /// Removes a path and everything below it (a deleted or moved-out folder). Returns how many.
    pub fn remove_tree(&self, path: &str) -> anyhow::Result<usize> {
        let (from, to) = below(path);
        let n = self.db.conn().execute(
            "DELETE FROM files WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
            params![path, from, to],
        )?;
        Ok(n)
    }

    /// Stored paths at or below `path`.
    pub fn paths_under(&self, path: &str) -> anyhow::Result<Vec<String>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT path FROM files WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
        )?;
        let (from, to) = below(path);
        let rows = stmt.query_map(params![path, from, to], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One file, if listed.
    pub fn get(&self, path: &str) -> anyhow::Result<Option<StoredFile>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {}, first_seen FROM files WHERE path = ?1",
            search::ROW_COLUMNS
        ))?;
        Ok(stmt
            .query_row([path], |r| {
                Ok(StoredFile {
                    row: search::row_from(r)?,
                    first_seen: r.get(9)?,
                })
            })
            .optional()?)
    }

    /// Paths of every file, or of the unprocessed ones, in name order.
    pub fn all_paths(&self, unprocessed_only: bool) -> anyhow::Result<Vec<String>> {
        let conn = self.db.conn();
        let sql = if unprocessed_only {
            "SELECT path FROM files WHERE processed = 0 ORDER BY sort_key"
        } else {
            "SELECT path FROM files ORDER BY sort_key"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many files are listed, processed and duplicates.
    pub fn counts(&self) -> anyhow::Result<FileCounts> {
        let conn = self.db.conn();
        let (t, p, d): (i64, i64, i64) = conn
            .prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(processed), 0), COALESCE(SUM(duplicate), 0) FROM files",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(FileCounts {
            total: t as u64,
            processed: p as u64,
            duplicates: d as u64,
        })
    }

    /// Sets the markers of a file.
    pub fn set_markers(&self, path: &str, processed: bool, duplicate: bool) -> anyhow::Result<()> {
        self.db.conn().execute(
            "UPDATE files SET processed = ?2, duplicate = ?3 WHERE path = ?1",
            params![path, processed, duplicate],
        )?;
        Ok(())
    }

    /// One page of the list (filters, sort, search).
    pub fn list(&self, q: &FileQuery) -> anyhow::Result<FilePage> {
        Ok(search::list(&self.db.conn(), q)?)
    }
}
