//! Jobs and their items in the store's SQLite file, so unfinished jobs survive restarts.

use crate::library::store::FileStore;
use app::api::{JobAction, JobItemView, JobView, Settings};
use app::events::{JobProgress, JobStatus};
use rusqlite::{params, OptionalExtension};

/// Settings key of the processing settings.
const SETTINGS_KEY: &str = "processing";

fn status_from(s: &str) -> JobStatus {
    match s {
        "queued" => JobStatus::Queued,
        "processing" => JobStatus::Processing,
        "completed" => JobStatus::Completed,
        "cancelled" => JobStatus::Cancelled,
        _ => JobStatus::Failed,
    }
}

fn view_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobView> {
    let action: String = r.get(1)?;
    let status: String = r.get(2)?;
    Ok(JobView {
        job_id: r.get(0)?,
        action: JobAction::parse(&action).unwrap_or(JobAction::Process),
        status: status_from(&status),
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

const JOB_COLUMNS: &str =
    "id, action, status, created_at, finished_at, total, processed, success, errors, undo_of";

/// A finished item's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// `success`, `skipped`, `duplicate` or `failed`.
    pub outcome: &'static str,
    /// Path after processing.
    pub new_path: String,
    /// Why it failed.
    pub error: Option<String>,
}

impl ItemResult {
    /// Counts as a success (skipped files are fine as they are).
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, "success" | "skipped")
    }
}

/// Creates a queued job with its items.
pub fn create(
    store: &FileStore,
    id: &str,
    action: JobAction,
    paths: &[String],
    now: f64,
) -> anyhow::Result<()> {
    create_with(store, id, action, paths, now, None)
}

/// Creates a queued job with its items; `undo_of` names the job an undo job undoes.
pub fn create_with(
    store: &FileStore,
    id: &str,
    action: JobAction,
    paths: &[String],
    now: f64,
    undo_of: Option<&str>,
) -> anyhow::Result<()> {
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    tx.execute(
        &format!(
            "INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?1, ?2, 'queued', ?3, NULL, ?4, 0, 0, 0, ?5)"
        ),
        params![id, action.as_str(), now, paths.len() as i64, undo_of],
    )?;
    {
        let mut item =
            tx.prepare_cached("INSERT INTO job_items (job_id, idx, path) VALUES (?1, ?2, ?3)")?;
        for (i, p) in paths.iter().enumerate() {
            item.execute(params![id, i as i64, p])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// One job, with its items when asked.
pub fn get(store: &FileStore, id: &str, with_items: bool) -> anyhow::Result<Option<JobView>> {
    let conn = store.conn();
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
                    state: r.get(1)?,
                    outcome: r.get(2)?,
                    new_path: r.get(3)?,
                    error: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        job.items = Some(items);
    }
    Ok(Some(job))
}

/// Every job, newest first.
pub fn list(store: &FileStore) -> anyhow::Result<Vec<JobView>> {
    let conn = store.conn();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC"
    ))?;
    let rows = stmt.query_map([], view_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Jobs not finished, oldest first (to resume after a restart).
pub fn unfinished(store: &FileStore) -> anyhow::Result<Vec<String>> {
    let conn = store.conn();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM jobs WHERE status IN ('queued', 'processing') ORDER BY created_at, rowid",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
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

/// Items not yet done, in order.
pub fn pending_items(store: &FileStore, id: &str) -> anyhow::Result<Vec<PendingItem>> {
    let conn = store.conn();
    let mut stmt = conn.prepare_cached(
        "SELECT idx, path, intent_path FROM job_items
         WHERE job_id = ?1 AND state = 'pending' ORDER BY idx",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(PendingItem {
            idx: r.get(0)?,
            path: r.get(1)?,
            intent: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records that item `idx` is about to be renamed to `new_path` (before the disk is touched).
pub fn record_intent(store: &FileStore, id: &str, idx: i64, new_path: &str) -> anyhow::Result<()> {
    store.conn().execute(
        "UPDATE job_items SET intent_path = ?3 WHERE job_id = ?1 AND idx = ?2",
        params![id, idx, new_path],
    )?;
    Ok(())
}

/// Sets a job's status (and finish time when final).
pub fn set_status(store: &FileStore, id: &str, status: JobStatus, now: f64) -> anyhow::Result<()> {
    let finished = status.is_finished().then_some(now);
    store.conn().execute(
        "UPDATE jobs SET status = ?2, finished_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), finished],
    )?;
    Ok(())
}

/// Records an item's result and the job's new counters in one transaction.
pub fn finish_item(
    store: &FileStore,
    id: &str,
    idx: i64,
    result: &ItemResult,
    progress: &JobProgress,
) -> anyhow::Result<()> {
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE job_items SET state = 'done', outcome = ?3, new_path = ?4, error = ?5
         WHERE job_id = ?1 AND idx = ?2",
        params![id, idx, result.outcome, result.new_path, result.error],
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

/// Records what item `idx` is about to change (before the disk is touched).
pub fn record_change(store: &FileStore, id: &str, idx: i64, change: &Change) -> anyhow::Result<()> {
    store.conn().execute(
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
    store: &FileStore,
    id: &str,
    idx: i64,
    after: Option<(&str, u64, i64)>,
) -> anyhow::Result<()> {
    let conn = store.conn();
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
pub fn changes(store: &FileStore, id: &str) -> anyhow::Result<Vec<Change>> {
    let conn = store.conn();
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
pub fn undone_by(store: &FileStore, id: &str) -> anyhow::Result<Option<String>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id FROM jobs WHERE undo_of = ?1 LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Deletes a job and its items.
pub fn delete(store: &FileStore, id: &str) -> anyhow::Result<()> {
    store
        .conn()
        .execute("DELETE FROM jobs WHERE id = ?1", [id])?;
    Ok(())
}

/// The stored processing settings, or the defaults.
pub fn settings(store: &FileStore, watcher_enabled: bool) -> anyhow::Result<Settings> {
    let mut s = store
        .setting(SETTINGS_KEY)?
        .and_then(|json| serde_json::from_str::<Settings>(&json).ok())
        .unwrap_or_else(default_settings);
    s.watcher_enabled = watcher_enabled;
    // Settings stored before these existed.
    s.convert_cbr.get_or_insert(false);
    s.cbr_trash.get_or_insert_with(String::new);
    Ok(s)
}

/// Stores the processing settings.
pub fn save_settings(store: &FileStore, settings: &Settings) -> anyhow::Result<()> {
    store.set_setting(SETTINGS_KEY, &serde_json::to_string(settings)?)
}

/// Template `{series} - Chapter {issue}`, padding 4, watcher on, one worker per core.
pub fn default_settings() -> Settings {
    Settings {
        filename_template: crate::comic::naming::DEFAULT_TEMPLATE.into(),
        issue_padding: 4,
        watcher_enabled: true,
        parallelism: std::thread::available_parallelism()
            .map(|n| n.get().min(64) as u8)
            .unwrap_or(2),
        convert_cbr: Some(false),
        cbr_trash: Some(String::new()),
    }
}
