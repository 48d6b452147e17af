//! One job item, start to finish: the action's step (processing, or undo) and the history row
//! it leaves. It sits above `process` and `undo`: `undo` uses `process`'s rename and rewrite
//! steps, and nothing in `process` calls back into `undo`.

use super::process::{self, ItemKey, Processed};
use super::undo;
use crate::hub::unix_now;
use crate::library::Library;
use crate::paths::RelPath;
use app::api::{HistoryItem, JobAction, Settings};

/// Runs `action` on one file and records the result (database, markers, history). Blocking.
/// `origin` is where the item's file was when the job was made (history's old path); `rel` is
/// where it is now (the same, unless a resumed item's rename had already happened).
pub(crate) fn run(
    library: &Library,
    origin: &RelPath,
    rel: &RelPath,
    action: JobAction,
    settings: &Settings,
    item: Option<ItemKey<'_>>,
) -> Processed {
    let out = match action {
        JobAction::Undo => undo::undo_file(library, rel, item),
        _ => process::process_file(library, rel, action, settings, item),
    };
    let history = HistoryItem {
        id: 0,
        at: unix_now(),
        job_id: item.map(|k| k.job_id.to_string()),
        action,
        old_path: origin.to_string(),
        new_path: out.result.new_path.clone(),
        outcome: out.result.outcome,
        error: out.result.error.clone(),
        tags: out.tags.clone(),
    };
    if let Err(e) = library.store().history().add(&history) {
        tracing::error!("cannot record history for {rel}: {e:#}");
    }
    out
}
