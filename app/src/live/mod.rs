//! The live connection: one `EventSource` per tab, decoded with the shared [`Event`] enum into
//! signals the components read.
//!
//! - Connection state as a signal (connecting / open / reconnecting / offline) with the time it
//!   last changed.
//! - After an error: reconnect with exponential backoff (1, 2, 4, 8, 16 s, capped at 30 s, with
//!   jitter), resuming from the last event id (`?last_event_id=`, since a new `EventSource`
//!   cannot set the header).
//! - Three failed opens in a row: poll every 10 s (bump [`Live::resyncs`]) until the stream opens.
//! - `resync`: refetch everything shown. `cache_updated` / `file_processed`: a debounced refresh
//!   (trailing 250 ms, at most 1 s after the first event of a burst).
//! - The connection belongs to the page (all of its islands): closed on `pagehide`, so the server
//!   frees it at once, and reopened when the page comes back from the back/forward cache. While
//!   the stream is healthy nothing here polls.

use crate::events::{Envelope, Event, JobUpdated, NotificationLevel, WatcherStatus};
use leptos::prelude::*;
use std::collections::VecDeque;

/// State of the tab's event stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// First attempt under way.
    Connecting,
    /// Events are flowing.
    Open,
    /// Lost; trying again with backoff.
    Reconnecting,
    /// Failed three times in a row; polling until the stream opens again.
    Offline,
}

impl ConnState {
    /// Lower-case name, used in `data-state` and labels.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnState::Connecting => "connecting",
            ConnState::Open => "open",
            ConnState::Reconnecting => "reconnecting",
            ConnState::Offline => "offline",
        }
    }
}

/// One line of the diagnostics log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// Event type name.
    pub kind: String,
    /// SSE id, if the event carried one.
    pub id: Option<String>,
    /// Browser time of arrival, ms since the epoch.
    pub received_ms: f64,
    /// The raw JSON.
    pub payload: String,
}

/// A toast shown at the corner of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    /// Unique within the tab.
    pub id: u64,
    /// Colour.
    pub level: NotificationLevel,
    /// Text.
    pub message: String,
}

/// Most log entries kept for `/sse-test`.
pub const LOG_LIMIT: usize = 200;

/// The live signals of a page, shared by its islands through [`use_live`].
#[derive(Clone, Copy)]
pub struct Live {
    /// Connection state.
    pub state: RwSignal<ConnState>,
    /// When `state` last changed, ms since the epoch (0 before hydration).
    pub since: RwSignal<f64>,
    /// Id from the last `connected` event.
    pub connection_id: RwSignal<Option<String>>,
    /// Id of the last numbered event received.
    pub last_event_id: RwSignal<Option<String>>,
    /// Last watcher status heard.
    pub watcher: RwSignal<Option<WatcherStatus>>,
    /// Last state of each job heard of, in order of first appearance.
    pub jobs: RwSignal<Vec<JobUpdated>>,
    /// Bumped (debounced) when the file list should refetch its page.
    pub refresh: RwSignal<u64>,
    /// Bumped when everything shown must be refetched (resync, polling fallback).
    pub resyncs: RwSignal<u64>,
    /// Recent events, newest first, for diagnostics.
    pub log: RwSignal<VecDeque<LogEntry>>,
    /// Toasts on screen.
    pub toasts: RwSignal<Vec<Toast>>,
    /// Whether the tab wants a stream (the diagnostics page can switch it off).
    pub wanted: RwSignal<bool>,
}

impl Live {
    fn new() -> Self {
        Self {
            state: RwSignal::new(ConnState::Connecting),
            since: RwSignal::new(0.0),
            connection_id: RwSignal::new(None),
            last_event_id: RwSignal::new(None),
            watcher: RwSignal::new(None),
            jobs: RwSignal::new(Vec::new()),
            refresh: RwSignal::new(0),
            resyncs: RwSignal::new(0),
            log: RwSignal::new(VecDeque::new()),
            toasts: RwSignal::new(Vec::new()),
            wanted: RwSignal::new(true),
        }
    }

    /// Shows a toast; it dismisses itself after 5 s.
    pub fn toast(&self, level: NotificationLevel, message: impl Into<String>) {
        let toasts = self.toasts;
        let id = toasts.with_untracked(|t| t.iter().map(|t| t.id).max().unwrap_or(0) + 1);
        toasts.update(|t| {
            t.push(Toast {
                id,
                level,
                message: message.into(),
            })
        });
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            std::time::Duration::from_secs(5),
        );
    }

    /// Removes a toast now.
    pub fn dismiss(&self, id: u64) {
        self.toasts.update(|t| t.retain(|x| x.id != id));
    }

    /// Applies one decoded event to the signals. `fresh` is false for events older than the
    /// page (replayed state), which update signals but raise no toast.
    pub fn apply(&self, envelope: &Envelope, fresh: bool, on_refresh: &mut dyn FnMut(bool)) {
        match &envelope.event {
            Event::Connected(c) => self.connection_id.set(Some(c.connection_id.clone())),
            Event::Resync(_) => {
                self.resyncs.update(|n| *n += 1);
                on_refresh(true);
            }
            Event::CacheUpdated(c) => {
                if c.rebuild_complete {
                    on_refresh(false);
                }
            }
            Event::FileProcessed(f) => {
                on_refresh(false);
                if !f.success && fresh {
                    let why = f.error.clone().unwrap_or_else(|| "unknown error".into());
                    self.toast(NotificationLevel::Error, format!("{}: {why}", f.filename));
                }
            }
            Event::WatcherStatus(w) => self.watcher.set(Some(*w)),
            Event::SessionExpired(_) => {}
            Event::JobUpdated(j) => {
                let was_active = self.jobs.with_untracked(|jobs| {
                    jobs.iter()
                        .any(|x| x.job_id == j.job_id && !x.status.is_finished())
                });
                self.jobs.update(
                    |jobs| match jobs.iter_mut().find(|x| x.job_id == j.job_id) {
                        Some(x) => *x = j.clone(),
                        None => jobs.push(j.clone()),
                    },
                );
                if was_active && j.status.is_finished() {
                    let p = j.progress;
                    let level = if p.errors > 0 || j.status == crate::events::JobStatus::Failed {
                        NotificationLevel::Warning
                    } else {
                        NotificationLevel::Success
                    };
                    self.toast(
                        level,
                        format!(
                            "Job {}: {} of {} done, {} errors",
                            j.status.as_str(),
                            p.success,
                            p.total,
                            p.errors
                        ),
                    );
                }
            }
            Event::Notification(n) => {
                if fresh {
                    self.toast(n.level, n.message.clone());
                }
            }
        }
    }

    /// What an island renders from: this `Live` once the island has hydrated, and before that a
    /// fresh one in the initial state, which is what the server rendered (see
    /// `ready::island_ready`: a lazy island hydrates after the stream may have changed this one).
    pub fn once_hydrated(self, hydrated: ReadSignal<bool>) -> impl Fn() -> Live + Copy {
        let initial = Live::new();
        move || if hydrated.get() { self } else { initial }
    }

    /// Forgets a deleted job.
    pub fn forget_job(&self, job_id: &str) {
        self.jobs.update(|jobs| jobs.retain(|j| j.job_id != job_id));
    }
}

/// The page's [`Live`], shared by all of its islands (each island is its own hydration root, so
/// context cannot carry it). In the browser the first call creates the signals under an owner
/// that lives as long as the page, and opens the stream. On the server every island renders the
/// initial state.
pub fn use_live() -> Live {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static LIVE: std::cell::OnceCell<Live> = const { std::cell::OnceCell::new() };
        }
        LIVE.with(|cell| {
            *cell.get_or_init(|| {
                let owner = Owner::new();
                let live = owner.with(|| {
                    let live = Live::new();
                    browser::start(live);
                    live
                });
                // The page's connection outlives any one island.
                std::mem::forget(owner);
                live
            })
        })
    }
    #[cfg(not(feature = "hydrate"))]
    Live::new()
}

#[cfg(feature = "hydrate")]
mod browser;
