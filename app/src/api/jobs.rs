//! The status words of job items and history rows, as enums whose serde names are the strings
//! the API has always sent (`"success"`, `"pending"`, ...).

use serde::{Deserialize, Serialize};

/// How processing one file ended: a job item's and a history row's `outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Processed (tagged, renamed, converted or undone).
    Success,
    /// Already right, or left alone for a reason given in `error`; counts as a success.
    Skipped,
    /// Left untouched because its new name was taken.
    Duplicate,
    /// Could not be processed; `error` says why.
    Failed,
}

impl ItemOutcome {
    /// Every outcome, in declaration order.
    pub const ALL: [Self; 4] = [Self::Success, Self::Skipped, Self::Duplicate, Self::Failed];

    /// The wire name, e.g. `"skipped"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Skipped => "skipped",
            Self::Duplicate => "duplicate",
            Self::Failed => "failed",
        }
    }

    /// Counts as a success (skipped files are fine as they are).
    pub fn is_success(self) -> bool {
        matches!(self, Self::Success | Self::Skipped)
    }
}

/// Where a job item is: a job item's `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Not processed yet.
    Pending,
    /// Processed; its outcome is recorded.
    Done,
}

impl ItemState {
    /// Every state, in declaration order.
    pub const ALL: [Self; 2] = [Self::Pending, Self::Done];

    /// The wire name, e.g. `"pending"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{JobAction, PreviewOutcome};
    use crate::events::JobStatus;

    /// The JSON string of a value, without quotes.
    fn wire<T: Serialize>(v: T) -> String {
        serde_json::to_value(v)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Checks that `as_str`, serde and the expected strings agree, and that each parses back.
    fn agree<T>(all: &[T], as_str: fn(T) -> &'static str, expected: &[&str])
    where
        T: Copy + Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let names: Vec<&str> = all.iter().map(|v| as_str(*v)).collect();
        assert_eq!(names, expected);
        for (v, name) in all.iter().zip(expected) {
            assert_eq!(wire(*v), *name);
            let back: T = serde_json::from_value(serde_json::Value::from(*name)).unwrap();
            assert_eq!(back, *v);
        }
    }

    #[test]
    fn wire_names_are_the_strings_the_api_has_always_sent() {
        agree(
            &ItemOutcome::ALL,
            ItemOutcome::as_str,
            &["success", "skipped", "duplicate", "failed"],
        );
        agree(&ItemState::ALL, ItemState::as_str, &["pending", "done"]);
        agree(
            &PreviewOutcome::ALL,
            PreviewOutcome::as_str,
            &["change", "unchanged", "conflict", "error"],
        );
        agree(
            &[
                JobAction::Process,
                JobAction::Rename,
                JobAction::Normalize,
                JobAction::Undo,
            ],
            JobAction::as_str,
            &["process", "rename", "normalize", "undo"],
        );
        agree(
            &[
                JobStatus::Queued,
                JobStatus::Processing,
                JobStatus::Completed,
                JobStatus::Failed,
                JobStatus::Cancelled,
            ],
            JobStatus::as_str,
            &["queued", "processing", "completed", "failed", "cancelled"],
        );
    }
}
