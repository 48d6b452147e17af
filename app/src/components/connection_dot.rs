//! The connection dot: green = open, amber = connecting/reconnecting, red = offline.

use crate::live::{use_live, ConnState};
use leptos::prelude::*;

/// A dot with a tooltip saying since when the stream is in its state.
#[component]
pub fn ConnectionDot() -> impl IntoView {
    let live = use_live();
    let label = move || {
        let state = live.state.get();
        let since = live.since.get();
        let word = match state {
            ConnState::Connecting => "Connecting",
            ConnState::Open => "Live",
            ConnState::Reconnecting => "Reconnecting",
            ConnState::Offline => "Offline (polling)",
        };
        if since > 0.0 {
            format!("{word} since {}", clock(since))
        } else {
            word.to_string()
        }
    };
    view! {
        <span
            class="connection-dot"
            role="status"
            data-state=move || live.state.get().as_str()
            data-connection-id=move || live.connection_id.get().unwrap_or_default()
            title=label
            aria-label=label
        ></span>
    }
}

/// `HH:MM:SS` in the browser's time zone.
pub fn clock(ms: f64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
        format!(
            "{:02}:{:02}:{:02}",
            d.get_hours(),
            d.get_minutes(),
            d.get_seconds()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let secs = (ms / 1000.0) as u64 % 86_400;
        format!(
            "{:02}:{:02}:{:02} UTC",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}
