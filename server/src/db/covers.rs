//! Cover thumbnails in the files table: each file's thumbnail key (the content hash its image
//! is stored under, see `crate::covers`) or why it has none. `files::apply` clears both when a
//! file changes, in the same transaction, so a changed file is never shown its old cover.

use super::Db;
use rusqlite::{params, OptionalExtension};

/// A listed file's cover as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverRecord {
    /// The file's size as listed.
    pub size: u64,
    /// Its modification time as listed, ns.
    pub mtime_ns: i64,
    /// The thumbnail's key, once made.
    pub key: Option<String>,
    /// Why no thumbnail can be made, once tried.
    pub error: Option<String>,
}

/// A file that has no cover yet, with the facts it is listed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// Library path.
    pub path: String,
    /// Size as listed.
    pub size: u64,
    /// Modification time as listed, ns.
    pub mtime_ns: i64,
}

/// The cover columns, borrowed from [`Db::covers`].
pub struct Covers<'a> {
    db: &'a Db,
}

impl Db {
    /// Cover thumbnails.
    pub fn covers(&self) -> Covers<'_> {
        Covers { db: self }
    }
}

impl Covers<'_> {
    /// Files with neither a thumbnail nor an error, in list order (the first pages first).
    pub fn missing(&self) -> anyhow::Result<Vec<Missing>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT path, size, mtime_ns FROM files
             WHERE cover_key IS NULL AND cover_error IS NULL ORDER BY sort_key",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Missing {
                path: r.get(0)?,
                size: r.get::<_, i64>(1)? as u64,
                mtime_ns: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One file's record, if listed.
    pub fn get(&self, path: &str) -> anyhow::Result<Option<CoverRecord>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT size, mtime_ns, cover_key, cover_error FROM files WHERE path = ?1",
        )?;
        Ok(stmt
            .query_row([path], |r| {
                Ok(CoverRecord {
                    size: r.get::<_, i64>(0)? as u64,
                    mtime_ns: r.get(1)?,
                    key: r.get(2)?,
                    error: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Records a thumbnail key (`Ok`) or why there is none (`Err`) for `path`, only if the file
    /// is still listed with the facts it was read with (a change since then wins: the file is
    /// then missing its cover again). Returns whether it was recorded.
    pub fn set(
        &self,
        path: &str,
        size: u64,
        mtime_ns: i64,
        result: Result<&str, &str>,
    ) -> anyhow::Result<bool> {
        let (key, error) = match result {
            Ok(key) => (Some(key), None),
            Err(e) => (None, Some(e)),
        };
        let n = self.db.conn().execute(
            "UPDATE files SET cover_key = ?4, cover_error = ?5
             WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3",
            params![path, size as i64, mtime_ns, key, error],
        )?;
        Ok(n == 1)
    }

    /// Every thumbnail key in use (for removing unused thumbnails).
    pub fn keys(&self) -> anyhow::Result<std::collections::HashSet<String>> {
        let conn = self.db.conn();
        let mut stmt = conn
            .prepare_cached("SELECT DISTINCT cover_key FROM files WHERE cover_key IS NOT NULL")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
