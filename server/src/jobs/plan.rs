//! Deciding what processing one file will do, without touching the disk: the new name, the tag
//! changes and any conflict. A dry run (`"dry_run": true`) shows exactly these plans, and a job
//! applies exactly these plans, so the preview is what then happens.

use crate::comic::{archive, comicinfo, naming};
use crate::library::Library;
use crate::paths::RelPath;
use app::api::{JobAction, PreviewItem, PreviewOutcome, Settings, TagChange, WrittenTags};
use std::collections::HashMap;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// What processing one file will do.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The name to rename to, when it differs from the current one.
    pub(crate) target: Option<RelPath>,
    /// The tags Longbox owns, as they will be.
    pub(crate) tags: WrittenTags,
    /// Per-field changes of ComicInfo.xml (empty when tags stay as they are).
    pub(crate) tag_changes: Vec<TagChange>,
    /// The ComicInfo.xml to write, when tags change.
    pub(crate) new_xml: Option<String>,
    /// The ComicInfo.xml as it is now (`None`: the archive has none), kept for undo.
    pub(crate) old_xml: Option<String>,
    /// Something the user should know that is not an error (e.g. a `.cbr` is not tagged).
    pub(crate) note: Option<String>,
    /// The `.cbr` is converted to a `.cbz` first (its original goes to this trash folder).
    pub(crate) convert_to: Option<std::path::PathBuf>,
}

/// Where converted `.cbr` originals go: the configured folder, else `trash` in the data dir.
pub(crate) fn trash_dir(library: &Library, settings: &Settings) -> std::path::PathBuf {
    match settings.cbr_trash.as_deref().filter(|t| !t.is_empty()) {
        Some(folder) => folder.into(),
        None => library.data_dir().join("trash"),
    }
}

/// The fields Longbox writes, in the order it shows them.
const OWNED_FIELDS: [&str; 3] = ["Series", "Number", "Title"];

fn field<'a>(info: &'a Option<Vec<(String, String)>>, key: &str) -> Option<&'a str> {
    info.as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// Decides what `action` does to the file at `rel` (which must exist). Blocking: reads the
/// archive within its limits.
pub(crate) fn plan(
    library: &Library,
    rel: &RelPath,
    action: JobAction,
    settings: &Settings,
) -> Result<Plan, String> {
    let name = rel.name();
    let is_cbr = naming::extension(name).eq_ignore_ascii_case(".cbr");
    let convert = is_cbr && settings.convert_cbr == Some(true) && action != JobAction::Rename;
    // A converted file is a `.cbz` from here on: tagged, and named with that extension.
    let (is_cbz, ext) = if convert {
        (true, ".cbz")
    } else {
        let ext = naming::extension(name);
        (ext.eq_ignore_ascii_case(".cbz"), ext)
    };
    if action == JobAction::Normalize && !is_cbz {
        return Err(
            ".cbr (RAR) archives can be renamed but not tagged (unless converting to .cbz is on)"
                .into(),
        );
    }
    let disk = rel.on_disk(library.root());
    let summary = if is_cbr {
        crate::comic::rar::summarize(&disk)
    } else {
        archive::summarize(&disk)
    };
    let (comic_info, old_xml) = match summary {
        Ok(s) => (s.comic_info, s.xml),
        // An archive that cannot be read can still be renamed from its name, unless it is to be
        // tagged (a `.cbz`, or a `.cbr` being converted).
        Err(e) if is_cbz && action != JobAction::Rename => return Err(e.to_string()),
        Err(_) => (None, None),
    };

    let folder_name = rel.folder().rsplit('/').next().unwrap_or("");
    let series = if folder_name.is_empty() {
        field(&comic_info, "Series")
            .ok_or("no series: the file is not in a series folder")?
            .to_string()
    } else {
        naming::series_from_folder(folder_name)
    };
    let issue = match field(&comic_info, "Number") {
        Some(n) if n.trim().chars().all(|c| c.is_ascii_digit() || c == '.') => {
            naming::normalise_number(n.trim())
        }
        Some(n) => n.trim().to_string(),
        None => naming::issue_from_name(name)
            .ok_or("no issue number in ComicInfo.xml or the file name")?,
    };
    let parts = naming::NameParts {
        series: series.clone(),
        issue: issue.clone(),
        volume: field(&comic_info, "Volume").unwrap_or_default().into(),
        year: field(&comic_info, "Year").unwrap_or_default().into(),
        publisher: field(&comic_info, "Publisher").unwrap_or_default().into(),
    };
    let title = parts.title();
    let target_name = naming::file_name(
        &settings.filename_template,
        settings.issue_padding as usize,
        &parts,
        ext,
    )
    .map_err(|e| e.to_string())?;
    let tags = WrittenTags {
        series,
        number: issue,
        title,
    };
    let wanted = [&tags.series, &tags.number, &tags.title];
    let tag_changes: Vec<TagChange> = OWNED_FIELDS
        .iter()
        .zip(wanted)
        .filter(|(f, new)| field(&comic_info, f) != Some(new.as_str()))
        .map(|(f, new)| TagChange {
            field: f.to_string(),
            old: field(&comic_info, f).map(str::to_string),
            new: new.clone(),
        })
        .collect();
    let wants_tags = action != JobAction::Rename && is_cbz && !tag_changes.is_empty();
    let new_xml = if wants_tags {
        let updates: Vec<(&str, String)> = tag_changes
            .iter()
            .map(|c| (c.field.as_str(), c.new.clone()))
            .collect();
        Some(comicinfo::render(old_xml.as_deref(), &updates)?)
    } else {
        None
    };
    // Converting changes the extension, so it always names the file anew.
    let target_name = if action == JobAction::Normalize && convert {
        format!("{}.cbz", naming::stem(name))
    } else {
        target_name
    };
    let wants_rename = (action != JobAction::Normalize || convert) && target_name != name;
    let convert_to = convert.then(|| trash_dir(library, settings));
    let note = match &convert_to {
        Some(trash) => Some(format!(
            "converted from .cbr to .cbz; the original goes to {}",
            trash.display()
        )),
        None => (action == JobAction::Process && !is_cbz)
            .then(|| "tags not written: .cbr (RAR) archives cannot be tagged".to_string()),
    };
    Ok(Plan {
        convert_to,
        target: wants_rename.then(|| rel.with_name(&target_name)),
        tag_changes: if wants_tags { tag_changes } else { Vec::new() },
        tags,
        new_xml,
        old_xml,
        note,
    })
}

/// A name's identity on disks that fold case or Unicode normalisation (macOS, Windows, SMB
/// shares): NFC, lower-cased.
pub(crate) fn folded(name: &str) -> String {
    name.nfc().collect::<String>().to_lowercase()
}

/// Another file in `target`'s folder whose name is `target`'s name, or differs from it only by
/// case or Unicode normalisation (`source`, the file being renamed, does not count).
pub(crate) fn clash(root: &Path, source: &RelPath, target: &RelPath) -> Option<String> {
    let want = folded(target.name());
    let folder = target.on_disk(root).parent()?.to_path_buf();
    std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|n| n != source.name() && folded(n) == want)
}

/// Plans every file without touching anything, and marks conflicts: a target that clashes with
/// a file on disk, or with another file of the same batch.
pub(crate) fn preview(
    library: &Library,
    paths: &[RelPath],
    action: JobAction,
    settings: &Settings,
) -> Vec<PreviewItem> {
    let root = library.root();
    let mut claimed: HashMap<String, String> = HashMap::new();
    paths
        .iter()
        .map(|rel| {
            let mut item = PreviewItem {
                path: rel.to_string(),
                new_path: None,
                tag_changes: Vec::new(),
                outcome: PreviewOutcome::Unchanged,
                conflict: None,
                error: None,
                note: None,
            };
            let plan = match plan(library, rel, action, settings) {
                Ok(plan) => plan,
                Err(e) => {
                    item.outcome = PreviewOutcome::Error;
                    item.error = Some(e);
                    return item;
                }
            };
            let final_path = plan.target.clone().unwrap_or_else(|| rel.clone());
            let key = format!(
                "{}/{}",
                folded(final_path.folder()),
                folded(final_path.name())
            );
            let clash_on_disk = plan
                .target
                .as_ref()
                .and_then(|t| clash(root, rel, t))
                .map(|n| format!("{n} already exists; the file would be left untouched"));
            let clash_in_batch = claimed
                .get(&key)
                .map(|other| format!("{other} would get the same name"));
            claimed.entry(key).or_insert_with(|| rel.to_string());
            item.conflict = clash_on_disk.or(clash_in_batch);
            item.new_path = plan.target.map(|t| t.to_string());
            item.tag_changes = plan.tag_changes;
            item.note = plan.note;
            item.outcome = if item.conflict.is_some() {
                PreviewOutcome::Conflict
            } else if item.new_path.is_some() || !item.tag_changes.is_empty() {
                PreviewOutcome::Change
            } else {
                PreviewOutcome::Unchanged
            };
            item
        })
        .collect()
}
