//! The live connection: one `EventSource` per page, decoded with the shared
//! [`Event`](crate::events::Event) enum into signals the components read.
//!
//! - [`model`]: the decisions, as a pure reducer from events to effects (what to refresh, when
//!   to raise a toast, which events are duplicates, what a resync resets); tested on the host.
//! - `browser`: the connection (browser only): the `EventSource`, reconnecting with exponential
//!   backoff (1, 2, 4, 8, 16 s, capped at 30 s, with jitter) and resuming from the last event id
//!   (`?last_event_id=`, since a new `EventSource` cannot set the header); after three failed
//!   opens in a row it polls every 10 s (bumps [`Live::resyncs`]) until the stream opens. It
//!   feeds the model and carries out its effects on the signals of [`Live`].
//! - [`use_live`]: the document's [`Live`], shared by every island (islands are separate
//!   hydration roots, so it is not context but the document's own, made by the first island
//!   that asks and kept across client-side navigations).
//!
//! The connection belongs to the document: closed on `pagehide`, so the server frees it at once, and
//! reopened when the page comes back from the back/forward cache. While the stream is healthy
//! nothing here polls.

use crate::api::page::PageState;
use crate::events::{JobUpdated, NotificationLevel, WatcherStatus};
use leptos::prelude::*;
use std::collections::VecDeque;

/// State of the tab's event stream.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser connects
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
    pub kind: &'static str,
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

/// The live signals of a page, shared by its islands through [`use_live`].
#[derive(Clone, Copy)]
pub struct Live {
    /// Connection state.
    pub state: RwSignal<ConnState>,
    /// When `state` last changed, ms since the epoch (0 before hydration).
    pub since: RwSignal<f64>,
    /// Id from the last [`Event::Connected`](crate::events::Event::Connected).
    pub connection_id: RwSignal<Option<String>>,
    /// Where the stream resumes: the id of the last event applied (shown on `/sse-test`).
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
    /// The live state of a page rendered from `page`: its watcher and jobs, resuming after the
    /// event it was rendered at.
    fn new(page: &PageState) -> Self {
        Self {
            state: RwSignal::new(ConnState::Connecting),
            since: RwSignal::new(0.0),
            connection_id: RwSignal::new(None),
            last_event_id: RwSignal::new(page.event_id.map(|id| id.to_string())),
            watcher: RwSignal::new(page.watcher),
            jobs: RwSignal::new(crate::api::page::job_updates(&page.jobs)),
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

    /// What an island renders from: this `Live` once the island has hydrated, and before that a
    /// fresh one in the initial state, which is what the server rendered (see
    /// `ready::island_ready`: a lazy island hydrates after the stream may have changed this one).
    pub fn once_hydrated(self, hydrated: ReadSignal<bool>) -> impl Fn() -> Live + Copy {
        let initial = Live::new(&page_state());
        move || if hydrated.get() { self } else { initial }
    }

    /// Whether nothing has been applied since `page` was rendered: what the page shows is then
    /// still current, and the island need not fetch it again.
    pub(crate) fn is_at(&self, page: &PageState) -> bool {
        page.event_id.map(|id| id.to_string()) == self.last_event_id.get_untracked()
    }

    /// Forgets a deleted job.
    pub fn forget_job(&self, job_id: &str) {
        self.jobs.update(|jobs| jobs.retain(|j| j.job_id != job_id));
    }
}

/// Makes the [`Live`] of the page being rendered from `page` the one [`use_live`] returns while
/// the server renders it.
#[cfg(feature = "ssr")]
pub(crate) fn provide_live(page: &PageState) {
    provide_context(Live::new(page));
}

/// The state the server rendered this page from. On the server, what the page handler put in
/// context (none when the route list is generated). In the browser, read from the page's
/// script each time: a client-side navigation brings the next page's.
pub(crate) fn page_state() -> PageState {
    #[cfg(feature = "hydrate")]
    {
        let text = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(crate::api::page::SCRIPT_ID))
            .and_then(|script| script.text_content())
            .unwrap_or_default();
        crate::client::read_json(&text).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context().unwrap_or_default()
    }
}

/// The page's [`Live`].
///
/// On the server, the one [`provide_live`] made for the request. In the browser, the document's:
/// created (and its stream opened) by the first island that asks, under an owner of its own that
/// no island owns. Islands are separate hydration roots and, with client-side navigation, come
/// and go while the document stays: the connection and the model must outlive each of them.
pub(crate) fn use_live() -> Live {
    #[cfg(feature = "hydrate")]
    {
        browser::document_live()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context().expect("provide_live was not called for this page")
    }
}

#[cfg(feature = "hydrate")]
mod browser;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // fed by `browser`; tested on the host
pub(crate) mod model;
pub(crate) mod toasts;
