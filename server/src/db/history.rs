//! The history table: one row per file processed, newest first.

use super::{Db, Wire};
use app::api::HistoryItem;
use rusqlite::params;

/// The history table, borrowed from [`Db::history`].
pub struct History<'a> {
    /// The database.
    db: &'a Db,
}

impl Db {
    /// The processing history.
    pub fn history(&self) -> History<'_> {
        History { db: self }
    }
}

impl History<'_> {
    /// Appends a row (its `id` is ignored); returns the id it got.
    pub fn add(&self, row: &HistoryItem) -> anyhow::Result<i64> {
        let conn = self.db.conn();
        conn.execute(
            "INSERT INTO history (at, job_id, action, old_path, new_path, outcome, error, tags_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                row.at,
                row.job_id,
                Wire(row.action),
                row.old_path,
                row.new_path,
                Wire(row.outcome),
                row.error,
                row.tags.as_ref().and_then(|t| serde_json::to_string(t).ok())
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// `limit` rows from `offset`, newest first, and the total count.
    pub fn page(&self, limit: u32, offset: u32) -> anyhow::Result<(Vec<HistoryItem>, u64)> {
        let conn = self.db.conn();
        let total: i64 = conn.query_row("SELECT COUNT(*) FROM history", [], |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, job_id, action, old_path, new_path, outcome, error, tags_json
             FROM history ORDER BY id DESC LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt
            .query_map(params![limit, offset], |r| {
                Ok(HistoryItem {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    job_id: r.get(2)?,
                    action: r.get::<_, Wire<_>>(3)?.0,
                    old_path: r.get(4)?,
                    new_path: r.get(5)?,
                    outcome: r.get::<_, Wire<_>>(6)?.0,
                    error: r.get(7)?,
                    tags: r
                        .get::<_, Option<String>>(8)?
                        .and_then(|t| serde_json::from_str(&t).ok()),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total as u64))
    }
}
