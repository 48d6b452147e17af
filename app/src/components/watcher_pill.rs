//! The watcher pill: running / stopped / disabled / unknown, with an on/off switch.

use crate::api::{paths, WatcherToggle};
use crate::client;
use crate::events::{NotificationLevel, WatcherStatus};
use crate::live::use_live;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shows the watcher state; clicking switches automatic processing.
#[component]
pub fn WatcherPill() -> impl IntoView {
    let live = use_live();
    // The state arrives with the stream (its latest watcher event); after a resync, ask directly.
    Effect::new(move |prev: Option<u64>| {
        let n = live.resyncs.get();
        if prev.is_some() || live.watcher.get_untracked().is_none() {
            spawn_local(async move {
                if let Ok(s) = client::get::<WatcherStatus>(paths::WATCHER_STATUS).await {
                    live.watcher.set(Some(s));
                }
            });
        }
        n
    });
    let label = move || match live.watcher.get() {
        None => ("unknown", "Watcher: unknown"),
        Some(WatcherStatus { running: false, .. }) => ("stopped", "Watcher: stopped"),
        Some(WatcherStatus { enabled: false, .. }) => ("disabled", "Watcher: on, auto-process off"),
        Some(_) => ("running", "Watcher: auto-processing"),
    };
    let toggle = move |_| {
        let Some(current) = live.watcher.get_untracked() else {
            return;
        };
        let body = WatcherToggle {
            enabled: !current.enabled,
        };
        spawn_local(async move {
            match client::send::<WatcherStatus, _>("POST", paths::WATCHER, Some(&body)).await {
                Ok(s) => live.watcher.set(Some(s)),
                Err(e) => live.toast(NotificationLevel::Error, format!("Watcher: {e}")),
            }
        });
    };
    view! {
        <button
            class="pill watcher-pill"
            type="button"
            data-state=move || label().0
            aria-pressed=move || live.watcher.get().map(|w| w.enabled).unwrap_or(false).to_string()
            title="Switch automatic processing of new comics"
            on:click=toggle
        >
            <span class="pill-dot"></span>
            {move || label().1}
        </button>
    }
}
