//! `FileStore`: the library's file list, markers and settings in SQLite (its processing
//! list query and search index are in `library::listing`, its history in `library::history`).
//!
//! rusqlite (bundled SQLite) rather than sqlx: every query is a short synchronous call that runs
//! on a blocking thread, the schema is small, and one bundled C library builds anywhere without
//! a system SQLite or compile-time database.
//!
//! WAL mode; schema migrations are the numbered SQL of `library::schema`, tracked by
//! `user_version`.

use crate::library::paths::RelPath;
use app::api::FileRow;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::listing::index_new_files;
use super::schema::MIGRATIONS;

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

/// The SQLite-backed store. Every method is a short blocking call.
pub struct FileStore {
    conn: Mutex<Connection>,
}

fn sort_key(folder: &str, name: &str) -> String {
    format!("{}/{}", folder.to_lowercase(), name.to_lowercase())
}

pub(super) fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<FileRow> {
    Ok(FileRow {
        path: r.get(0)?,
        name: r.get(1)?,
        folder: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        modified: r.get::<_, i64>(4)? as f64 / 1e9,
        processed: r.get(5)?,
        duplicate: r.get(6)?,
    })
}

const ROW_COLUMNS: &str = "path, name, folder, size, mtime_ns, processed, duplicate";

impl FileStore {
    /// Opens (creating and migrating) `longbox.db` in `data_dir`.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open(data_dir.join("longbox.db"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        // Files from before the search index (or a crash between writes) get indexed now.
        let tx = conn.unchecked_transaction()?;
        index_new_files(&tx)?;
        tx.commit()?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// The connection, for modules that keep their own tables here (jobs).
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().expect("store lock")
    }

    /// Every stored path with its size and mtime, for reconciling against a scan.
    pub fn snapshot(&self) -> anyhow::Result<HashMap<String, (u64, i64)>> {
        let conn = self.conn();
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
    pub fn snapshot_of<'a>(
        &self,
        paths: impl Iterator<Item = &'a String>,
    ) -> anyhow::Result<HashMap<String, (u64, i64)>> {
        let conn = self.conn();
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO files (path, name, folder, sort_key, size, mtime_ns, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns",
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
            let mut rename = tx.prepare_cached(
                "UPDATE files SET path = ?2, name = ?3, folder = ?4, sort_key = ?5, size = ?6,
                 mtime_ns = ?7 WHERE path = ?1",
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
            index_new_files(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes a path and everything below it (a deleted or moved-out folder). Returns how many.
    pub fn remove_tree(&self, path: &str) -> anyhow::Result<usize> {
        let conn = self.conn();
        let prefix = format!("{path}/");
        let n = conn.execute(
            "DELETE FROM files WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
            params![path, prefix, format!("{path}0")],
        )?;
        Ok(n)
    }

    /// Stored paths at or below `path`.
    pub fn paths_under(&self, path: &str) -> anyhow::Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT path FROM files WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
        )?;
        let rows = stmt.query_map(params![path, format!("{path}/"), format!("{path}0")], |r| {
            r.get(0)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One file, if listed.
    pub fn get(&self, path: &str) -> anyhow::Result<Option<StoredFile>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS}, first_seen FROM files WHERE path = ?1"
        ))?;
        Ok(stmt
            .query_row([path], |r| {
                Ok(StoredFile {
                    row: row_from(r)?,
                    first_seen: r.get(7)?,
                })
            })
            .optional()?)
    }

    /// Paths of every file, or of the unprocessed ones, in name order.
    pub fn all_paths(&self, unprocessed_only: bool) -> anyhow::Result<Vec<String>> {
        let conn = self.conn();
        let sql = if unprocessed_only {
            "SELECT path FROM files WHERE processed = 0 ORDER BY sort_key"
        } else {
            "SELECT path FROM files ORDER BY sort_key"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `(total, processed, duplicates)`.
    pub fn counts(&self) -> anyhow::Result<(u64, u64, u64)> {
        let conn = self.conn();
        let (t, p, d): (i64, i64, i64) = conn
            .prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(processed), 0), COALESCE(SUM(duplicate), 0) FROM files",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok((t as u64, p as u64, d as u64))
    }

    /// Sets the markers of a file.
    pub fn set_markers(&self, path: &str, processed: bool, duplicate: bool) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE files SET processed = ?2, duplicate = ?3 WHERE path = ?1",
            params![path, processed, duplicate],
        )?;
        Ok(())
    }

    /// A setting's JSON text.
    pub fn setting(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a setting's JSON text.
    pub fn set_setting(&self, key: &str, value: &str) -> anyhow::Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}
