//! The shared crate of Longbox, compiled for the server (`ssr`) and the browser (`hydrate`).
//!
//! - [`events`]: the event protocol (the one `Event` enum both sides use).
//! - [`api`]: request and response types of the REST API; [`client`] calls it.
//! - [`naming`]: file name templates (shared with the server's renamer).
//! - [`live`]: the tab's one event stream, decoded into signals.
//! - [`components`]: small view pieces (header, theme toggle, ...).
//! - [`pages`]: one module per route.

#![recursion_limit = "256"]

pub mod api;
pub mod client;
pub mod components;
pub mod events;
pub mod live;
pub mod naming;
pub mod pages;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, StaticSegment,
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
                <HydrationScripts options/>
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

/// The root component: header plus routed pages.
#[component]
pub fn App() -> impl IntoView {
    live::provide_live();
    // Marks the page as interactive once the WASM has taken over (end-to-end tests wait on it).
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Router>
            <components::header::Header/>
            <main class="page">
                <Routes fallback=|| view! { <p class="empty">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=pages::home::HomePage/>
                    <Route path=StaticSegment("settings") view={Lazy::<pages::SettingsRoute>::new()}/>
                    <Route path=StaticSegment("history") view={Lazy::<pages::HistoryRoute>::new()}/>
                    <Route path=StaticSegment("sse-test") view={Lazy::<pages::DiagnosticsRoute>::new()}/>
                </Routes>
            </main>
            <components::toasts::Toasts/>
        </Router>
    }
}
