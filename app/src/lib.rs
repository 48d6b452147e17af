//! The shared crate of Longbox, compiled for the server (`ssr`) and the browser (`hydrate`).
//!
//! - [`events`]: the event protocol (the one `Event` enum both sides use).
//! - [`api`]: request and response types of the REST API; [`client`] calls it.
//! - [`naming`]: file name templates (shared with the server's renamer).
//! - [`live`]: the tab's one event stream, decoded into signals.
//! - [`components`]: small view pieces (header, theme toggle, ...).
//! - [`pages`]: one module per route.
//! - [`ready`]: marks the page once all of its islands have hydrated.
//!
//! Leptos runs in islands mode: the server renders whole pages, and only the components marked
//! `#[island]` (the live, interactive parts) are compiled into the browser bundle and hydrate.
//! Moving between pages is a normal page load; the islands of one page share one live
//! connection ([`live::use_live`]).

#![recursion_limit = "256"]

pub mod api;
pub mod client;
pub mod components;
pub mod events;
pub mod live;
pub mod naming;
pub mod pages;
pub mod ready;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    StaticSegment,
};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                // Static: one title and one stylesheet for every page, so the browser bundle
                // needs no head-management code.
                <title>"Longbox"</title>
                <link rel="stylesheet" id="leptos" href="/pkg/longbox.css"/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component: header plus routed pages, rendered on the server.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <components::header::Header/>
            <main class="page">
                <Routes fallback=|| view! { <p class="empty">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=pages::home::HomePage/>
                    <Route path=StaticSegment("settings") view=pages::settings::SettingsPage/>
                    <Route path=StaticSegment("history") view=pages::history::HistoryPage/>
                    <Route path=StaticSegment("sse-test") view=pages::diagnostics::DiagnosticsPage/>
                </Routes>
            </main>
            <components::toasts::Toasts/>
        </Router>
    }
}
