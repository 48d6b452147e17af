//! Request and response types of the REST API, shared by the handlers and the UI.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod auth;
mod jobs;
pub mod page;
pub mod paths;
mod preview;
pub use jobs::{ItemOutcome, ItemState};
pub use preview::{JobPreview, PreviewItem, PreviewOutcome, TagChange};

/// Body of every API error: `{"error": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, in words a user can act on.
    pub error: String,
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// One file of the library, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRow {
    /// Path relative to the library, `/`-separated.
    pub path: String,
    /// File name.
    pub name: String,
    /// Folder relative to the library (`""` at the root).
    pub folder: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, unix seconds.
    pub modified: f64,
    /// Longbox has processed (tagged/renamed) it.
    pub processed: bool,
    /// Its target name was taken by another file.
    pub duplicate: bool,
    /// URL of its cover thumbnail (`?v=<content hash>` once made: that URL never changes what
    /// it shows); `null` when no cover can be made (no image page, a page over the limits).
    #[serde(default)]
    pub cover: Option<String>,
}

/// `GET /api/files`: one page of the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilePage {
    /// The rows of this page.
    pub files: Vec<FileRow>,
    /// 1-based page number.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// Files matching search and filter.
    pub total_files: u64,
    /// Pages at this size (at least 1).
    pub total_pages: u32,
    /// Unprocessed files in the whole library.
    pub unprocessed_count: u64,
}

/// Which files a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFilter {
    /// Every file.
    #[default]
    All,
    /// Files Longbox has processed.
    Processed,
    /// Files not processed yet.
    Unprocessed,
    /// Files marked duplicate.
    Duplicates,
}

/// Sort key of a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileSort {
    /// By folder, then file name.
    #[default]
    Name,
    /// By modification time.
    Date,
    /// By size.
    Size,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// Query of `GET /api/files`; every field optional on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileQuery {
    /// 1-based page.
    pub page: u32,
    /// Rows per page, 1–500.
    pub per_page: u32,
    /// Case-insensitive substring of name or folder.
    pub search: String,
    /// Which files.
    pub filter: FileFilter,
    /// Sort key.
    pub sort: FileSort,
    /// Sort direction.
    pub direction: Direction,
    /// The library page shows covers in a grid (`view=grid` in the page's URL). The page's
    /// state only: never sent to or read by the API.
    #[serde(skip)]
    pub grid: bool,
}

impl Default for FileQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: 50,
            search: String::new(),
            filter: FileFilter::All,
            sort: FileSort::Name,
            direction: Direction::Asc,
            grid: false,
        }
    }
}

/// `GET /api/files/{path}`: one file with the ComicInfo.xml fields inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileDetails {
    /// The listed facts.
    #[serde(flatten)]
    pub file: FileRow,
    /// When Longbox first saw it, unix seconds.
    pub first_seen: f64,
    /// ComicInfo.xml fields in document order (`.cbz` with ComicInfo.xml only).
    pub comic_info: Option<Vec<(String, String)>>,
    /// Image entries in the archive, when it could be read.
    pub page_count: Option<u32>,
}

/// `GET /api/cache/stats`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheStats {
    /// Files listed.
    pub total_files: u64,
    /// Files marked processed.
    pub processed: u64,
    /// Files not processed.
    pub unprocessed: u64,
    /// Files marked duplicate.
    pub duplicates: u64,
    /// When the last full scan finished, unix seconds.
    pub last_scan_at: Option<f64>,
    /// How long it took, milliseconds.
    pub last_scan_ms: Option<u64>,
    /// A scan is running now.
    pub scanning: bool,
    /// Watcher state.
    pub watcher: crate::events::WatcherStatus,
}

/// `POST /api/watcher`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatcherToggle {
    /// Whether new comics are processed automatically.
    pub enabled: bool,
}

/// `202 Accepted` answer of an action that runs in the background.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    /// What was started.
    pub message: String,
}

/// What a job does to each file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    /// Write tags and rename.
    Process,
    /// Rename only.
    Rename,
    /// Write tags only.
    Normalize,
    /// Put back what another job changed (names and ComicInfo.xml).
    Undo,
}

impl JobAction {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobAction::Process => "process",
            JobAction::Rename => "rename",
            JobAction::Normalize => "normalize",
            JobAction::Undo => "undo",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "process" => Some(JobAction::Process),
            "rename" => Some(JobAction::Rename),
            "normalize" => Some(JobAction::Normalize),
            "undo" => Some(JobAction::Undo),
            _ => None,
        }
    }
}

/// Which files a job covers: a list of paths, `"all"` or `"unprocessed"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum JobFiles {
    /// These paths, relative to the library.
    List(Vec<String>),
    /// `"all"` or `"unprocessed"`.
    Named(String),
}

/// `POST /api/jobs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRequest {
    /// `process`, `rename` or `normalize`.
    pub action: String,
    /// The selection.
    pub files: JobFiles,
    /// Only show what would happen (200 with a [`JobPreview`]); nothing is touched.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// Answer of `POST /api/jobs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCreated {
    /// The new job's UUID.
    pub job_id: String,
    /// Files in it.
    pub total_items: u64,
}

/// One item of a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobItemView {
    /// Path when the job was created.
    pub path: String,
    /// `pending`, `done`.
    pub state: ItemState,
    /// `success`, `skipped`, `duplicate` or `failed`, once done.
    pub outcome: Option<ItemOutcome>,
    /// Path after processing.
    pub new_path: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

/// `GET /api/jobs/{id}` (items included) and rows of `GET /api/jobs` (items omitted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    /// UUID.
    pub job_id: String,
    /// What it does.
    pub action: JobAction,
    /// Where it is.
    pub status: crate::events::JobStatus,
    /// Counters.
    pub progress: crate::events::JobProgress,
    /// Unix seconds.
    pub created_at: f64,
    /// Unix seconds, once finished.
    pub finished_at: Option<f64>,
    /// Per-item results (details only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<JobItemView>>,
    /// For an undo job: the job it undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_of: Option<String>,
}

/// `GET /api/settings`, `PUT /api/settings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// File name template, e.g. `{series} - Chapter {issue}`.
    pub filename_template: String,
    /// Digits `{issue}` is zero-padded to.
    pub issue_padding: u8,
    /// New comics are processed automatically.
    pub watcher_enabled: bool,
    /// Files processed at once.
    pub parallelism: u8,
    /// Processing converts `.cbr` (RAR) files to `.cbz` (opt-in). Absent in a `PUT`: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convert_cbr: Option<bool>,
    /// Absolute folder converted `.cbr` originals are moved to (outside the library). Absent in a
    /// `PUT`: unchanged; empty: the default, `trash` in the data dir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cbr_trash: Option<String>,
}

/// `GET /api/history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// Newest first.
    pub items: Vec<HistoryItem>,
    /// Rows in all.
    pub total: u64,
}

/// One processed file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    /// Row id.
    pub id: i64,
    /// Unix seconds.
    pub at: f64,
    /// Job it belonged to.
    pub job_id: Option<String>,
    /// `process`, `rename`, `normalize` or `undo`.
    pub action: JobAction,
    /// Path before.
    pub old_path: String,
    /// Path after.
    pub new_path: String,
    /// `success`, `skipped`, `duplicate` or `failed`.
    pub outcome: ItemOutcome,
    /// Why it failed.
    pub error: Option<String>,
    /// Tags written.
    pub tags: Option<WrittenTags>,
}

/// `GET /api/events/stats`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventStats {
    /// Streams open now.
    pub active_clients: usize,
    /// Events published since start.
    pub total_events_broadcast: u64,
    /// Events queued to clients since start.
    pub total_deliveries: u64,
    /// Events written to sockets since start (replays included).
    pub total_writes: u64,
    /// Clients dropped for a full queue.
    pub dropped_clients: u64,
    /// Streams opened since start.
    pub total_connections: u64,
    /// Events published per type name.
    pub events_by_type: BTreeMap<String, u64>,
    /// Events held for replay now.
    pub history_len: usize,
    /// Most events held for replay.
    pub history_capacity: usize,
    /// Oldest id still replayable.
    pub oldest_event_id: Option<u64>,
    /// Newest id published.
    pub newest_event_id: Option<u64>,
}

/// One row of `GET /api/events/status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionStatus {
    /// Server-assigned connection id.
    pub connection_id: String,
    /// Peer address.
    pub remote_addr: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// Unix seconds when the stream opened.
    pub connected_since: f64,
    /// Id of the last event written to the socket.
    pub last_event_id: Option<u64>,
    /// Events waiting in this connection's queue.
    pub queue_length: usize,
    /// Types received.
    pub subscriptions: Vec<String>,
}

/// The ComicInfo.xml fields processing writes, as kept in history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenTags {
    /// `<Series>`.
    #[serde(rename = "Series")]
    pub series: String,
    /// `<Number>`.
    #[serde(rename = "Number")]
    pub number: String,
    /// `<Title>`.
    #[serde(rename = "Title")]
    pub title: String,
}

/// Answer of `POST /api/events/broadcast`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Broadcasted {
    /// Id the hub gave the event.
    pub event_id: u64,
}
