//! The shared crate of Longbox, compiled for the server (`ssr`) and the browser (`hydrate`).
//!
//! Public, for the server and the tests:
//! - [`events`]: the event protocol (the one `Event` enum both sides use).
//! - [`api`]: request and response types of the REST API, and every API path.
//! - [`naming`]: file name templates (shared with the server's renamer).
//! - [`shell`] and [`App`]: the pages the server renders.
//!
//! Private to the UI: `live` (the page's one event stream: a pure model of what events mean,
//! the browser connection that feeds it, and the island that shares it), `client` (calls to the
//! REST API), `components` (view pieces), `pages` (one module per route) and `ready` (marks the
//! page once all of its islands have hydrated).
//!
//! Leptos runs in islands mode with the islands router: the server renders whole pages, and only
//! the components marked `#[island]` (the live, interactive parts) are compiled into the browser
//! bundle and hydrate. A click on a link does not load a document: the router fetches the next
//! page's HTML, patches the document with it (islands that stay keep their state) and hydrates
//! the islands that are new. The islands share the document's live state (`live::use_live`), so
//! one connection serves every page visited.

#![recursion_limit = "256"]
#![warn(missing_docs)]

pub mod api;
pub(crate) mod client;
pub(crate) mod components;
pub mod events;
pub(crate) mod live;
pub mod naming;
pub(crate) mod pages;
pub(crate) mod ready;

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
                <HydrationScripts options islands=true islands_router=true/>
                // Static: one title and one stylesheet for every page, so the browser bundle
                // needs no head-management code.
                <title>"Longbox"</title>
                <link rel="stylesheet" id="leptos" href="/pkg/longbox.css"/>
                // Installable (public/, copied into the site by cargo-leptos): the manifest, the
                // icons, and the top bar's colour for the browser's own bar in either theme.
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/favicon.ico" sizes="48x48"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                <meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)"/>
                <meta name="theme-color" content="#1a1f27" media="(prefers-color-scheme: dark)"/>
            </head>
            <body data-role=components::account_line::role_name(use_context().as_ref())>
                <App/>
            </body>
        </html>
    }
}

/// The root component: header plus routed pages (and the toasts), rendered on the server.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Layout/>
        </Router>
    }
}

/// The sign-in and first-run pages are shown bare: no live stream (it needs a signed-in
/// browser), no navigation. Every other page has the same frame (top bar, toasts, account line)
/// around the routed content, so a client-side navigation replaces only that content.
#[component]
fn Layout() -> impl IntoView {
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    if matches!(path.trim_end_matches('/'), "/login" | "/setup") {
        leptos::either::Either::Left(view! {
            <header class="topbar">
                <a class="brand" href="/">"Longbox"</a>
            </header>
            <main class="page">
                <Pages/>
            </main>
        })
    } else {
        // The state the page is rendered from, for hydration to start from (the browser never
        // renders this element: it only reads its text).
        #[cfg(feature = "ssr")]
        let state = {
            let page = live::page_state();
            live::provide_live(&page);
            page.to_script_text()
        };
        #[cfg(not(feature = "ssr"))]
        let state = String::new();
        leptos::either::Either::Right(view! {
            // First, so that it hydrates before the stream opens (islands hydrate in order).
            <live::toasts::Toasts/>
            <components::header::Header/>
            <main class="page">
                <Pages/>
            </main>
            // Who is signed in (rendered here from the request): shown under the top bar.
            <div class="account-slot">
                <components::account_line::AccountLine/>
            </div>
            <script type="application/json" id=api::page::SCRIPT_ID inner_html=state></script>
        })
    }
}

/// Every route.
#[component]
fn Pages() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <p class="empty">"Page not found."</p> }>
            <Route path=StaticSegment("") view=pages::home::HomePage/>
            <Route path=StaticSegment("settings") view=pages::settings::SettingsPage/>
            <Route path=StaticSegment("history") view=pages::history::HistoryPage/>
            <Route path=StaticSegment("sse-test") view=pages::diagnostics::DiagnosticsPage/>
            // The sign-in, first-run and Users pages are the accounts island's.
            <Route path=StaticSegment("login") view=pages::account::Accounts/>
            <Route path=StaticSegment("setup") view=pages::account::Accounts/>
            <Route path=StaticSegment("users") view=pages::account::Accounts/>
        </Routes>
    }
}
