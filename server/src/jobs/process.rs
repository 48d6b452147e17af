//! Processing one file: tags into ComicInfo.xml (`.cbz`), a new name from the template, or both.
//!
//! Order matters for crash safety: rename first (atomic, never over an existing file), then
//! rewrite the archive in place (temp file + rename). A crash between the two leaves the file
//! under its new name with its old content, complete.

use crate::comic::{archive, comicinfo, naming};
use crate::hub::unix_now;
use crate::jobs::store::ItemResult;
use crate::library::paths::RelPath;
use crate::library::scan;
use crate::library::store::Changes;
use crate::library::Library;
use app::api::{HistoryItem, JobAction, Settings, WrittenTags};

/// What processing one file did, with the tags it wrote.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Outcome for the job item and event.
    pub result: ItemResult,
    /// Tags written (or that would have been), for the history.
    pub tags: Option<WrittenTags>,
}

fn failed(rel: &RelPath, why: impl Into<String>) -> Processed {
    Processed {
        result: ItemResult {
            outcome: "failed",
            new_path: rel.to_string(),
            error: Some(why.into()),
        },
        tags: None,
    }
}

fn field<'a>(info: &'a Option<Vec<(String, String)>>, key: &str) -> Option<&'a str> {
    info.as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// The job item a file is processed for: where its rename intent is recorded.
#[derive(Debug, Clone, Copy)]
pub struct ItemKey<'a> {
    /// The job's id.
    pub job_id: &'a str,
    /// The item's index in the job.
    pub idx: i64,
}

/// Processes one file and records the result (store, markers, history). Blocking.
/// `origin` is where the item's file was when the job was made (history's old path); `rel` is
/// where it is now (the same, unless a resumed item's rename had already happened).
pub fn process_file(
    library: &Library,
    origin: &RelPath,
    rel: &RelPath,
    action: JobAction,
    settings: &Settings,
    item: Option<ItemKey<'_>>,
) -> Processed {
    let out = run(library, rel, action, settings, item);
    let history = HistoryItem {
        id: 0,
        at: unix_now(),
        job_id: item.map(|k| k.job_id.to_string()),
        action: action.as_str().into(),
        old_path: origin.to_string(),
        new_path: out.result.new_path.clone(),
        outcome: out.result.outcome.into(),
        error: out.result.error.clone(),
        tags: out.tags.clone(),
    };
    if let Err(e) = library.store().add_history(&history) {
        tracing::error!("cannot record history for {rel}: {e:#}");
    }
    out
}

fn run(
    library: &Library,
    rel: &RelPath,
    action: JobAction,
    settings: &Settings,
    item: Option<ItemKey<'_>>,
) -> Processed {
    let root = library.root();
    let disk = rel.on_disk(root);
    if scan::stat_file(root, rel).is_none() {
        return failed(rel, "file no longer exists");
    }
    let name = rel.name();
    let ext = naming::extension(name);
    let is_cbz = ext.eq_ignore_ascii_case(".cbz");
    let (comic_info, existing_xml) = if is_cbz {
        match archive::summarize(&disk) {
            Ok(s) => (s.comic_info, s.xml),
            Err(e) if action != JobAction::Rename => return failed(rel, e),
            Err(_) => (None, None),
        }
    } else {
        (None, None)
    };
    if action == JobAction::Normalize && !is_cbz {
        return failed(rel, ".cbr (RAR) archives can be renamed but not tagged");
    }
    let folder_name = rel.folder().rsplit('/').next().unwrap_or("");
    let series = if folder_name.is_empty() {
        match field(&comic_info, "Series") {
            Some(s) => s.to_string(),
            None => return failed(rel, "no series: the file is not in a series folder"),
        }
    } else {
        naming::series_from_folder(folder_name)
    };
    let issue = match field(&comic_info, "Number") {
        Some(n) if n.trim().chars().all(|c| c.is_ascii_digit() || c == '.') => {
            naming::normalise_number(n.trim())
        }
        Some(n) => n.trim().to_string(),
        None => match naming::issue_from_name(name) {
            Some(i) => i,
            None => return failed(rel, "no issue number in ComicInfo.xml or the file name"),
        },
    };
    let parts = naming::NameParts {
        series: series.clone(),
        issue: issue.clone(),
        volume: field(&comic_info, "Volume").unwrap_or_default().into(),
        year: field(&comic_info, "Year").unwrap_or_default().into(),
        publisher: field(&comic_info, "Publisher").unwrap_or_default().into(),
    };
    let title = parts.title();
    let target_name = match naming::file_name(
        &settings.filename_template,
        settings.issue_padding as usize,
        &parts,
        ext,
    ) {
        Ok(n) => n,
        Err(e) => return failed(rel, e.to_string()),
    };
    let tags = WrittenTags {
        series: series.clone(),
        number: issue.clone(),
        title: title.clone(),
    };
    let tags_in_place = field(&comic_info, "Series") == Some(series.as_str())
        && field(&comic_info, "Number") == Some(issue.as_str())
        && field(&comic_info, "Title") == Some(title.as_str());
    let wants_rename = action != JobAction::Normalize && target_name != name;
    let wants_tags = action != JobAction::Rename && is_cbz && !tags_in_place;
    let store = library.store();

    if !wants_rename && !wants_tags {
        let _ = store.set_markers(rel.as_str(), true, false);
        return Processed {
            result: ItemResult {
                outcome: "skipped",
                new_path: rel.to_string(),
                error: (action == JobAction::Process && !is_cbz)
                    .then(|| "tags not written: .cbr (RAR) archives cannot be tagged".into()),
            },
            tags: Some(tags),
        };
    }

    let mut current = rel.clone();
    if wants_rename {
        let target = rel.with_name(&target_name);
        let target_disk = target.on_disk(root);
        let renamed = library.write_locked(|| {
            // Case-only renames on case-insensitive disks point at the same file: not a duplicate.
            let same_file = target_name.eq_ignore_ascii_case(name) && target_disk.exists();
            if target_disk.exists() && !same_file {
                return Err(None::<String>);
            }
            // The intent goes to disk before the rename, so a resumed job can find the file.
            if let Some(key) = item {
                crate::jobs::store::record_intent(store, key.job_id, key.idx, target.as_str())
                    .map_err(|e| Some(format!("cannot record the rename: {e:#}")))?;
            }
            library.note_own_change(&target);
            archive::rename_no_replace(&disk, &target_disk).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    None
                } else {
                    Some(format!("cannot rename: {e}"))
                }
            })?;
            if let Some(facts) = scan::stat_file(root, &target) {
                let changes = Changes {
                    renamed: vec![(rel.to_string(), facts)],
                    ..Changes::default()
                };
                if let Err(e) = store.apply(&changes, unix_now()) {
                    tracing::error!("store update after rename failed: {e:#}");
                }
            }
            Ok(())
        });
        match renamed {
            Ok(()) => current = target,
            Err(None) => {
                let _ = store.set_markers(rel.as_str(), false, true);
                return Processed {
                    result: ItemResult {
                        outcome: "duplicate",
                        new_path: rel.to_string(),
                        error: Some(format!(
                            "{target_name} already exists; both files left untouched"
                        )),
                    },
                    tags: Some(tags),
                };
            }
            Err(Some(e)) => return failed(rel, e),
        }
    }

    let mut note = None;
    if wants_tags {
        let xml = match comicinfo::render(
            existing_xml.as_deref(),
            &[
                ("Series", series.clone()),
                ("Number", issue.clone()),
                ("Title", title.clone()),
            ],
        ) {
            Ok(xml) => xml,
            Err(e) => return failed(&current, format!("cannot write tags: {e}")),
        };
        let written = library.write_locked(|| {
            library.note_own_change(&current);
            archive::write_comic_info(
                &current.on_disk(root),
                &xml,
                store.as_ref(),
                library.write_fault(),
            )?;
            if let Some(facts) = scan::stat_file(root, &current) {
                let changes = Changes {
                    changed: vec![facts],
                    ..Changes::default()
                };
                let _ = store.apply(&changes, unix_now());
            }
            Ok::<_, String>(())
        });
        if let Err(e) = written {
            return failed(&current, format!("cannot write tags: {e}"));
        }
    } else if action == JobAction::Process && !is_cbz {
        note = Some("renamed; tags not written: .cbr (RAR) archives cannot be tagged".to_string());
    }
    let _ = store.set_markers(current.as_str(), true, false);
    Processed {
        result: ItemResult {
            outcome: "success",
            new_path: current.to_string(),
            error: note,
        },
        tags: Some(tags),
    }
}
