//! What the server knew when it rendered a page, handed to the browser inside it (a JSON
//! `<script>`), so that hydration starts from what the page shows and the live connection
//! resumes from the moment it was rendered: no gap, and no first fetch of the same data.

use super::{FilePage, JobAction};
use crate::events::{JobProgress, JobStatus, JobUpdated, WatcherStatus};
use serde::{Deserialize, Serialize};

/// Id of the `<script type="application/json">` that carries a page's [`PageState`].
pub const SCRIPT_ID: &str = "page-state";

/// The state a page was rendered from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// The newest event id when the page was rendered, read before anything else: the live
    /// connection resumes after it.
    pub event_id: Option<u64>,
    /// The watcher's state.
    pub watcher: Option<WatcherStatus>,
    /// Every job, newest first, as `GET /api/jobs` lists them.
    pub jobs: Vec<JobSummary>,
    /// The page of the file list the URL asks for (library page only).
    pub files: Option<FilePage>,
}

/// A row of `GET /api/jobs`, as much of it as the pages show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    /// UUID.
    pub job_id: String,
    /// What it does.
    pub action: JobAction,
    /// Where it is.
    pub status: JobStatus,
    /// Counters.
    pub progress: JobProgress,
}

impl PageState {
    /// The state as the text of a `<script>` element: JSON, with `</` written `<\/` so that no
    /// file name can end the element.
    pub fn to_script_text(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "{}".into())
            .replace("</", "<\\/")
    }
}

/// The listed jobs (newest first, as listed) as the live state holds them: their last update
/// each, oldest first, like events. A loop: `collect` would be one more copy of Vec's collecting
/// code in the bundle.
pub fn job_updates(listed: &[JobSummary]) -> Vec<JobUpdated> {
    let mut jobs = Vec::new();
    for j in listed.iter().rev() {
        jobs.push(JobUpdated {
            job_id: j.job_id.clone(),
            status: j.status,
            progress: j.progress,
        });
    }
    jobs
}
