//! Processing one file: tags into ComicInfo.xml (`.cbz`), a new name from the template, or both.
//!
//! Order matters for crash safety: rename first (atomic, never over an existing file), then
//! rewrite the archive in place (temp file + rename). A crash between the two leaves the file
//! under its new name with its old content, complete.

use crate::comic::{archive, naming, rar};
use crate::db::files::Changes;
use crate::db::jobs::{Change, ItemResult};
use crate::hub::unix_now;
use crate::jobs::plan::{self, Plan};
use crate::library::scan;
use crate::library::Library;
use crate::paths::RelPath;
use app::api::{ItemOutcome, JobAction, Settings, WrittenTags};
use std::path::Path;

/// What processing (or undoing) one file did, with the tags it wrote.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Outcome for the job item and event.
    pub result: ItemResult,
    /// Tags written (or that would have been), for the history.
    pub tags: Option<WrittenTags>,
}

pub(crate) fn failed(rel: &RelPath, why: impl Into<String>) -> Processed {
    Processed {
        result: ItemResult {
            outcome: ItemOutcome::Failed,
            new_path: rel.to_string(),
            error: Some(why.into()),
        },
        tags: None,
    }
}

/// The job item a file is processed for: where its rename intent is recorded.
#[derive(Debug, Clone, Copy)]
pub struct ItemKey<'a> {
    /// The job's id.
    pub job_id: &'a str,
    /// The item's index in the job.
    pub idx: i64,
}

/// Processes (`process`, `rename` or `normalize`) the file at `rel` and records what changed
/// (database, markers, the item's change record). Blocking.
pub(crate) fn process_file(
    library: &Library,
    rel: &RelPath,
    action: JobAction,
    settings: &Settings,
    item: Option<ItemKey<'_>>,
) -> Processed {
    let root = library.root();
    if scan::stat_file(root, rel).is_none() {
        return failed(rel, "file no longer exists");
    }
    let plan = match plan::plan(library, rel, action, settings) {
        Ok(plan) => plan,
        Err(e) => return failed(rel, e),
    };
    let store = library.store();
    if plan.target.is_none() && plan.new_xml.is_none() {
        let _ = store.files().set_markers(rel.as_str(), true, false);
        return Processed {
            result: ItemResult {
                outcome: ItemOutcome::Skipped,
                new_path: rel.to_string(),
                error: plan.note,
            },
            tags: Some(plan.tags),
        };
    }
    // What is about to change goes to disk first: it is both the rename intent a resumed job
    // follows and the record undo reads.
    if let Some(key) = item {
        let change = Change {
            old_path: rel.to_string(),
            new_path: plan.target.as_ref().unwrap_or(rel).to_string(),
            tags_changed: plan.new_xml.is_some(),
            old_xml: plan.old_xml.clone(),
            after: None,
        };
        let jobs = store.jobs();
        let recorded = jobs
            .record_change(key.job_id, key.idx, &change)
            .and_then(|()| jobs.record_intent(key.job_id, key.idx, &change.new_path));
        if let Err(e) = recorded {
            return failed(rel, format!("cannot record the change: {e:#}"));
        }
    }
    let out = apply(library, rel, &plan);
    if let Some(key) = item {
        let changed =
            out.result.outcome == ItemOutcome::Success || out.result.new_path != rel.as_str();
        let after = RelPath::parse(&out.result.new_path)
            .ok()
            .and_then(|p| scan::stat_file(root, &p))
            .map(|f| (out.result.new_path.as_str(), f.size, f.mtime_ns));
        let after = after.filter(|_| changed);
        let _ = store.jobs().finish_change(key.job_id, key.idx, after);
    }
    out
}

/// Renames a file (atomically, never over another file), then writes its tags.
pub(crate) fn rename_file(
    library: &Library,
    rel: &RelPath,
    target: &RelPath,
) -> Result<(), Option<String>> {
    let root = library.root();
    let store = library.store();
    library.write_locked(|| {
        if let Some(other) = plan::clash(root, rel, target) {
            tracing::debug!("{target} clashes with {other}");
            return Err(None);
        }
        library.note_own_change(target);
        archive::rename_no_replace(&rel.on_disk(root), &target.on_disk(root)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                None
            } else {
                Some(format!("cannot rename: {e}"))
            }
        })?;
        if let Some(facts) = scan::stat_file(root, target) {
            let changes = Changes {
                renamed: vec![(rel.to_string(), facts)],
                ..Changes::default()
            };
            if let Err(e) = store.files().apply(&changes, unix_now()) {
                tracing::error!("store update after rename failed: {e:#}");
            }
        }
        Ok(())
    })
}

/// Rewrites a `.cbz`'s ComicInfo.xml (`None` removes it) and updates the file list.
pub(crate) fn write_tags(
    library: &Library,
    rel: &RelPath,
    xml: Option<&str>,
) -> Result<(), String> {
    let root = library.root();
    let store = library.store();
    library.write_locked(|| {
        library.note_own_change(rel);
        archive::write_comic_info(
            &rel.on_disk(root),
            xml,
            store.as_ref(),
            library.write_fault(),
        )?;
        if let Some(facts) = scan::stat_file(root, rel) {
            let changes = Changes {
                changed: vec![facts],
                ..Changes::default()
            };
            let _ = store.files().apply(&changes, unix_now());
        }
        Ok(())
    })
}

/// Converts a `.cbr` to a verified `.cbz` beside it, moves the original to `trash`, and updates
/// the file list (the entry and its markers follow the file). Returns the `.cbz`.
fn convert(library: &Library, rel: &RelPath, trash: &Path) -> Result<RelPath, String> {
    let root = library.root();
    let cbz = rel.with_name(&format!("{}.cbz", naming::stem(rel.name())));
    library.write_locked(|| {
        library.note_own_change(&cbz);
        let made = rar::convert_to_cbz(&rel.on_disk(root), library.store().as_ref())?;
        debug_assert_eq!(made, cbz.on_disk(root));
        if let Err(e) = rar::remove_or_trash(&rel.on_disk(root), Some(trash)) {
            // The .cbz is verified, but two copies are better than a lost original.
            let _ = std::fs::remove_file(&made);
            return Err(format!(
                "cannot move the original to {}: {e}",
                trash.display()
            ));
        }
        if let Some(facts) = scan::stat_file(root, &cbz) {
            let changes = Changes {
                renamed: vec![(rel.to_string(), facts)],
                ..Changes::default()
            };
            let _ = library.store().files().apply(&changes, unix_now());
        }
        Ok(cbz.clone())
    })
}

fn apply(library: &Library, rel: &RelPath, plan: &Plan) -> Processed {
    let store = library.store();
    let mut current = rel.clone();
    if let Some(trash) = &plan.convert_to {
        if let Err(e) = std::fs::create_dir_all(trash) {
            return failed(rel, format!("cannot create the trash folder: {e}"));
        }
        match convert(library, rel, trash) {
            Ok(cbz) => current = cbz,
            Err(e) => return failed(rel, format!("cannot convert to .cbz: {e}")),
        }
    }
    if let Some(target) = plan.target.as_ref().filter(|t| **t != current) {
        let rel = &current.clone();
        match rename_file(library, rel, target) {
            Ok(()) => current = target.clone(),
            Err(None) => {
                // A converted file keeps its .cbz under its own name; anything else is untouched.
                let why = match plan.convert_to {
                    Some(_) => format!(
                        "converted to {}, but {} already exists; not renamed",
                        rel.name(),
                        target.name()
                    ),
                    None => format!(
                        "{} already exists (or differs only by case or accents); both files left untouched",
                        target.name()
                    ),
                };
                let _ = store.files().set_markers(rel.as_str(), false, true);
                return Processed {
                    result: ItemResult {
                        outcome: ItemOutcome::Duplicate,
                        new_path: rel.to_string(),
                        error: Some(why),
                    },
                    tags: Some(plan.tags.clone()),
                };
            }
            Err(Some(e)) => return failed(rel, e),
        }
    }
    if let Some(xml) = &plan.new_xml {
        if let Err(e) = write_tags(library, &current, Some(xml)) {
            return failed(&current, format!("cannot write tags: {e}"));
        }
    }
    let _ = store.files().set_markers(current.as_str(), true, false);
    Processed {
        result: ItemResult {
            outcome: ItemOutcome::Success,
            new_path: current.to_string(),
            error: plan
                .note
                .as_ref()
                .map(|n| format!("renamed; {n}"))
                .filter(|_| plan.target.is_some()),
        },
        tags: Some(plan.tags.clone()),
    }
}
