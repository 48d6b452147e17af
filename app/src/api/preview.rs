//! `POST /api/jobs` with `"dry_run": true`: what a job would do to each file, touching nothing.

use serde::{Deserialize, Serialize};

/// One ComicInfo.xml field a job would change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagChange {
    /// The element, e.g. `Series`.
    pub field: String,
    /// Its value now (`None`: absent).
    pub old: Option<String>,
    /// Its value after the job.
    pub new: String,
}

/// What a job would do to one file, in a word: a preview row's `outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewOutcome {
    /// It would be renamed or retagged.
    Change,
    /// It is already as the job would leave it.
    Unchanged,
    /// Its new name is taken; it would be left untouched as a duplicate.
    Conflict,
    /// It cannot be processed.
    Error,
}

impl PreviewOutcome {
    /// Every outcome, in declaration order.
    pub const ALL: [Self; 4] = [Self::Change, Self::Unchanged, Self::Conflict, Self::Error];

    /// The wire name, e.g. `"conflict"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Change => "change",
            Self::Unchanged => "unchanged",
            Self::Conflict => "conflict",
            Self::Error => "error",
        }
    }
}

/// What a job would do to one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewItem {
    /// The file, relative to the library.
    pub path: String,
    /// Its new path, when it would be renamed.
    pub new_path: Option<String>,
    /// The tag changes, when ComicInfo.xml would be rewritten.
    pub tag_changes: Vec<TagChange>,
    /// `change`, `unchanged`, `conflict` (would be left untouched as a duplicate) or `error`.
    pub outcome: PreviewOutcome,
    /// Why the new name is taken, naming the file it clashes with (same name, or one differing
    /// only by case or Unicode normalisation), on disk or in the same batch.
    pub conflict: Option<String>,
    /// Why the file cannot be processed.
    pub error: Option<String>,
    /// Something worth knowing that is not an error.
    pub note: Option<String>,
}

/// Answer of a dry run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPreview {
    /// The action previewed.
    pub action: super::JobAction,
    /// One row per file, in the job's order.
    pub items: Vec<PreviewItem>,
    /// Files that would change.
    pub changes: u64,
    /// Files that would be left untouched because of a name clash.
    pub conflicts: u64,
    /// Files that would fail.
    pub errors: u64,
}
