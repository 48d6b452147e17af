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
//! - [`LiveProvider`]: the island around the whole page that owns the page's [`Live`] and
//!   provides it as context: islands are separate hydration roots, but an island rendered inside
//!   another island's children is hydrated as a child of it, so every island of the page reads
//!   the same signals with [`use_live`].
//!
//! The connection belongs to the page: closed on `pagehide`, so the server frees it at once, and
//! reopened when the page comes back from the back/forward cache. While the stream is healthy
//! nothing here polls.

use crate::events::{JobUpdated, NotificationLevel, WatcherStatus};
use leptos::prelude::*;
use std::collections::VecDeque;
use toasts::Toasts;

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

/// The page, wrapped in the [`LiveProvider`] island: the server renders `children` as that
/// island's children, so every island in them hydrates as a child of it.
#[component]
pub(crate) fn LivePage(children: Children) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_context(page::Slot::new(children));
    #[cfg(not(feature = "ssr"))]
    drop(children);
    view! { <LiveProvider/> }
}

/// Owns the page's [`Live`] and provides it to the islands inside it: an island around the
/// whole page, whose children are every other island. In the browser it opens the stream. The
/// toasts are part of it.
#[island]
pub(crate) fn LiveProvider() -> impl IntoView {
    let live = Live::new();
    #[cfg(feature = "hydrate")]
    browser::start(live);
    provide_context(live);
    crate::ready::island_ready();
    view! {
        {page::children()}
        <Toasts/>
    }
}

/// The children of [`LiveProvider`], written out rather than as a `children` prop of the island:
/// the island macro type-erases them twice (two `AnyView`s in the browser bundle, ~2 KB gzipped)
/// to hydrate what is never hydrated. This is what it does, with the types left as they are.
mod page {
    use leptos::prelude::*;
    use leptos::tachys::html::islands::IslandChildren;

    /// The page handed from [`LivePage`](super::LivePage) to the island it renders (server only).
    #[cfg(feature = "ssr")]
    #[derive(Clone)]
    pub(super) struct Slot(std::sync::Arc<std::sync::Mutex<Option<Children>>>);

    #[cfg(feature = "ssr")]
    impl Slot {
        pub(super) fn new(children: Children) -> Self {
            Self(std::sync::Arc::new(std::sync::Mutex::new(Some(children))))
        }
    }

    /// On the server: the page inside `<leptos-children>`, rendered as static markup under an
    /// owner of its own (a child of the island's) whose context says "not hydrating", so that
    /// each island in it is rendered as an island of its own.
    #[cfg(feature = "ssr")]
    pub(super) fn children() -> impl IntoView {
        let children = use_context::<Slot>().and_then(|slot| slot.0.lock().ok()?.take());
        let owner = Owner::new();
        owner.with(|| {
            Owner::with_no_hydration(move || {
                leptos::tachys::reactive_graph::OwnedView::new(IslandChildren::new(
                    children.map(|c| c()),
                ))
            })
        })
    }

    /// In the browser: nothing to hydrate, but before each island in `<leptos-children>`
    /// hydrates, the islands script calls this owner's `set`, so that island's owner is a child
    /// of it, and of the provider island: its context is theirs.
    #[cfg(not(feature = "ssr"))]
    pub(super) fn children() -> impl IntoView {
        let owner = Owner::new();
        // As on the server: the islands in the children find "not hydrating" in this owner's
        // context, which makes each of them an island of its own, not a part of this one.
        #[cfg(feature = "hydrate")]
        owner.with(|| Owner::with_no_hydration(|| ()));
        IslandChildren::new_with_on_hydrate((), move || owner.set())
    }
}

/// The page's [`Live`], from the [`LiveProvider`] around the calling island.
pub(crate) fn use_live() -> Live {
    use_context().expect("no LiveProvider")
}

#[cfg(feature = "hydrate")]
mod browser;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // fed by `browser`; tested on the host
pub(crate) mod model;
mod toasts;
