//! Undoing a finished job: each file it changed gets its old name and its old ComicInfo.xml
//! back, byte for byte, unless the file changed since (then it is left alone, with a reason).

use super::process::{failed, rename_file, write_tags, ItemKey, Processed};
use crate::db::jobs::ItemResult;
use crate::library::scan;
use crate::library::Library;
use crate::paths::RelPath;
use app::api::ItemOutcome;

fn skipped(rel: &RelPath, why: impl Into<String>) -> Processed {
    Processed {
        result: ItemResult {
            outcome: ItemOutcome::Skipped,
            new_path: rel.to_string(),
            error: Some(why.into()),
        },
        tags: None,
    }
}

/// Puts back what the job this undo job undoes did to the file now at `rel`. Blocking.
pub(crate) fn undo_file(library: &Library, rel: &RelPath, item: Option<ItemKey<'_>>) -> Processed {
    let Some(key) = item else {
        return failed(rel, "undo runs only as a job");
    };
    let st = library.store();
    let source = match st.jobs().get(key.job_id, false) {
        Ok(Some(job)) => job.undo_of,
        _ => None,
    };
    let Some(source) = source else {
        return failed(rel, "this job undoes no job");
    };
    let change = match st.jobs().changes(&source) {
        Ok(all) => all.into_iter().find(|c| c.new_path == rel.as_str()),
        Err(e) => return failed(rel, format!("cannot read what job {source} changed: {e:#}")),
    };
    let Some(change) = change else {
        return failed(rel, format!("job {source} recorded no change to this file"));
    };
    if change.old_path.to_ascii_lowercase().ends_with(".cbr")
        && rel.name().to_ascii_lowercase().ends_with(".cbz")
    {
        return skipped(
            rel,
            "converted from .cbr; the original is in the trash folder, move it back by hand",
        );
    }
    let now = scan::stat_file(library.root(), rel).map(|f| (f.size, f.mtime_ns));
    match (now, change.after) {
        (None, _) => return skipped(rel, "the file is gone; nothing to undo"),
        (Some(now), Some(after)) if now != after => {
            return skipped(rel, "the file changed since the job; left as it is")
        }
        (_, None) => return skipped(rel, "the job never finished this file; left as it is"),
        _ => {}
    }
    let Ok(old) = RelPath::parse(&change.old_path) else {
        return failed(rel, "the recorded old path is not valid");
    };
    let mut current = rel.clone();
    if old != *rel {
        match rename_file(library, rel, &old) {
            Ok(()) => current = old,
            Err(None) => {
                return failed(
                    rel,
                    format!("{} is taken by another file; left as it is", old.name()),
                )
            }
            Err(Some(e)) => return failed(rel, e),
        }
    }
    if change.tags_changed {
        if let Err(e) = write_tags(library, &current, change.old_xml.as_deref()) {
            return failed(&current, format!("cannot restore ComicInfo.xml: {e}"));
        }
    }
    let _ = st.files().set_markers(current.as_str(), false, false);
    Processed {
        result: ItemResult {
            outcome: ItemOutcome::Success,
            new_path: current.to_string(),
            error: None,
        },
        tags: None,
    }
}
