//! The jobs tables: jobs, their items (with each item's rename intent), and what each item
//! changed (which undo reads), so unfinished jobs survive restarts and finished ones can be
//! undone.

use super::{Db, Wire};
use app::api::{ItemOutcome, ItemState, JobAction, JobItemView, JobView};
use app::events::{JobProgress, JobStatus};
use rusqlite::{params, OptionalExtension};

/// The columns [`view_from`] reads, in its order.
const JOB_COLUMNS: &str =
    "id, action, status, created_at, finished_at, total, processed, success, errors, undo_of";

/// A job (without items) from a row selected as [`JOB_COLUMNS`].
fn view_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobView> {
    Ok(JobView {
        job_id: r.get(0)?,
        action: r.get::<_, Wire<_>>(1)?.0,
        status: r.get::<_, Wire<_>>(2)?.0,
        created_at: r.get(3)?,
        finished_at: r.get(4)?,
        progress: JobProgress::new(
            r.get::<_, i64>(6)? as u64,
            r.get::<_, i64>(5)? as u64,
            r.get::<_, i64>(7)? as u64,
            r.get::<_, i64>(8)? as u64,
        ),
        items: None,
        undo_of: r.get(9)?,
    })
}

/// A finished item's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// How it ended.
    pub outcome: ItemOutcome,
    /// Path after processing.
    pub new_path: String,
    /// Why it failed (or a note on a success).
    pub error: Option<String>,
}

impl ItemResult {
    /// Counts as a success (skipped files are fine as they are).
    pub fn is_success(&self) -> bool {
        self.outcome.is_success()
    }
}

/// An item not yet done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingItem {
    /// Its index in the job.
    pub idx: i64,
    /// The file's path when the job was made.
    pub path: String,
    /// The path it was about to be renamed to when the server stopped, if it got that far.
    pub intent: Option<String>,
}

/// What one job item changed, for undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The item's path before the job.
    pub old_path: String,
    /// Its path after the job.
    pub new_path: String,
    /// Whether ComicInfo.xml was rewritten.
    pub tags_changed: bool,
    /// ComicInfo.xml before the job, byte for byte (`None`: there was none).
    pub old_xml: Option<String>,
    /// The file's size and mtime right after the job (`None`: the job did not finish it).
    pub after: Option<(u64, i64)>,
}

/// The jobs tables, borrowed from [`Db::jobs`].
pub struct Jobs<'a> {
    /// The database.
    db: &'a Db,
}

impl Db {
    /// Jobs, their items and their changes.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs { db: self }
    }
}

impl Jobs<'_> {
    /// Creates a queued job with its items; `undo_of` names the job an undo job undoes.
    pub fn create(
        &self,
        id: &str,
        action: JobAction,
        paths: &[String],
        now: f64,
        undo_of: Option<&str>,
    ) -> anyhow::Result<()> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        tx.execute(
            &format!(
                "INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, NULL, ?5, 0, 0, 0, ?6)"
            ),
            params![
                id,
                Wire(action),
                Wire(JobStatus::Queued),
                now,
                paths.len() as i64,
                undo_of
            ],
        )?;
        {
            let mut item = tx.prepare_cached(
                "INSERT INTO job_items (job_id, idx, path, state) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, p) in paths.iter().enumerate() {
                item.execute(params![id, i as i64, p, Wire(ItemState::Pending)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// One job, with its items when asked.
    pub fn get(&self, id: &str, with_items: bool) -> anyhow::Result<Option<JobView>> {
        let conn = self.db.conn();
        let Some(mut job) = conn
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                view_from,
            )
            .optional()?
        else {
            return Ok(None);
        };
        if with_items {
            let mut stmt = conn.prepare_cached(
                "SELECT path, state, outcome, new_path, error FROM job_items WHERE job_id = ?1 ORDER BY idx",
            )?;
            let items = stmt
                .query_map([id], |r| {
                    Ok(JobItemView {
                        path: r.get(0)?,
                        state: r.get::<_, Wire<_>>(1)?.0,
                        outcome: r.get::<_, Option<Wire<_>>>(2)?.map(|w| w.0),
                        new_path: r.get(3)?,
                        error: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            job.items = Some(items);
        }
        Ok(Some(job))
    }

    /// Every job, newest first, without items.
    pub fn list(&self) -> anyhow::Result<Vec<JobView>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], view_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ids of the jobs not finished, oldest first (to resume after a restart).
    pub fn unfinished(&self) -> anyhow::Result<Vec<String>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM jobs WHERE status IN (?1, ?2) ORDER BY created_at, rowid",
        )?;
        let waiting = params![Wire(JobStatus::Queued), Wire(JobStatus::Processing)];
        let rows = stmt.query_map(waiting, |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A job's items not yet done, in order.
    pub fn pending_items(&self, id: &str) -> anyhow::Result<Vec<PendingItem>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT idx, path, intent_path FROM job_items
             WHERE job_id = ?1 AND state = ?2 ORDER BY idx",
        )?;
        let rows = stmt.query_map(params![id, Wire(ItemState::Pending)], |r| {
            Ok(PendingItem {
                idx: r.get(0)?,
                path: r.get(1)?,
                intent: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that item `idx` is about to be renamed to `new_path` (before the disk is touched).
    pub fn record_intent(&self, id: &str, idx: i64, new_path: &str) -> anyhow::Result<()> {
        self.db.conn().execute(
            "UPDATE job_items SET intent_path = ?3 WHERE job_id = ?1 AND idx = ?2",
            params![id, idx, new_path],
        )?;
        Ok(())
    }

    /// Sets a job's status (and its finish time when final).
    pub fn set_status(&self, id: &str, status: JobStatus, now: f64) -> anyhow::Result<()> {
        let finished = status.is_finished().then_some(now);
        self.db.conn().execute(
            "UPDATE jobs SET status = ?2, finished_at = ?3 WHERE id = ?1",
            params![id, Wire(status), finished],
        )?;
        Ok(())
    }

    /// Records an item's result and the job's new counters in one transaction.
    pub fn finish_item(
        &self,
        id: &str,
        idx: i64,
        result: &ItemResult,
        progress: &JobProgress,
    ) -> anyhow::Result<()> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE job_items SET state = ?3, outcome = ?4, new_path = ?5, error = ?6
             WHERE job_id = ?1 AND idx = ?2",
            params![
                id,
                idx,
                Wire(ItemState::Done),
                Wire(result.outcome),
                result.new_path,
                result.error
            ],
        )?;
        tx.execute(
            "UPDATE jobs SET processed = ?2, success = ?3, errors = ?4 WHERE id = ?1",
            params![
                id,
                progress.processed as i64,
                progress.success as i64,
                progress.errors as i64
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records what item `idx` is about to change (before the disk is touched).
    pub fn record_change(&self, id: &str, idx: i64, change: &Change) -> anyhow::Result<()> {
        self.db.conn().execute(
            "INSERT OR REPLACE INTO changes
             (job_id, idx, old_path, new_path, tags_changed, old_xml, after_size, after_mtime_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL)",
            params![
                id,
                idx,
                change.old_path,
                change.new_path,
                change.tags_changed,
                change.old_xml
            ],
        )?;
        Ok(())
    }

    /// Records where the file of item `idx` ended up and its state then (what undo checks it
    /// against), or drops the record when nothing was changed after all (`None`).
    pub fn finish_change(
        &self,
        id: &str,
        idx: i64,
        after: Option<(&str, u64, i64)>,
    ) -> anyhow::Result<()> {
        let conn = self.db.conn();
        match after {
            Some((path, size, mtime)) => conn.execute(
                "UPDATE changes SET new_path = ?3, after_size = ?4, after_mtime_ns = ?5
                 WHERE job_id = ?1 AND idx = ?2",
                params![id, idx, path, size as i64, mtime],
            )?,
            None => conn.execute(
                "DELETE FROM changes WHERE job_id = ?1 AND idx = ?2",
                params![id, idx],
            )?,
        };
        Ok(())
    }

    /// Every change a job made, in item order.
    pub fn changes(&self, id: &str) -> anyhow::Result<Vec<Change>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT old_path, new_path, tags_changed, old_xml, after_size, after_mtime_ns
             FROM changes WHERE job_id = ?1 ORDER BY idx",
        )?;
        let rows = stmt.query_map([id], |r| {
            let size: Option<i64> = r.get(4)?;
            let mtime: Option<i64> = r.get(5)?;
            Ok(Change {
                old_path: r.get(0)?,
                new_path: r.get(1)?,
                tags_changed: r.get(2)?,
                old_xml: r.get(3)?,
                after: size.zip(mtime).map(|(s, m)| (s as u64, m)),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The undo job made for job `id`, if any (a job is undone once).
    pub fn undone_by(&self, id: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .db
            .conn()
            .query_row(
                "SELECT id FROM jobs WHERE undo_of = ?1 LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Deletes a job with its items and changes.
    pub fn delete(&self, id: &str) -> anyhow::Result<()> {
        self.db
            .conn()
            .execute("DELETE FROM jobs WHERE id = ?1", [id])?;
        Ok(())
    }
}
