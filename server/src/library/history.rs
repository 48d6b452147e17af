//! The processing history table of the [`FileStore`]: one row per file processed, newest first.

use super::store::FileStore;
use app::api::HistoryItem;
use rusqlite::params;

impl FileStore {
    /// Appends a history row; returns its id.
    pub fn add_history(&self, row: &HistoryItem) -> anyhow::Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO history (at, job_id, action, old_path, new_path, outcome, error, tags_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                row.at,
                row.job_id,
                row.action,
                row.old_path,
                row.new_path,
                row.outcome,
                row.error,
                row.tags.as_ref().and_then(|t| serde_json::to_string(t).ok())
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// History, newest first, and the total count.
    pub fn history(&self, limit: u32, offset: u32) -> anyhow::Result<(Vec<HistoryItem>, u64)> {
        let conn = self.conn();
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
                    action: r.get(3)?,
                    old_path: r.get(4)?,
                    new_path: r.get(5)?,
                    outcome: r.get(6)?,
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
