//! The top bar: product name, navigation and global controls.

use leptos::prelude::*;

use super::connection_dot::ConnectionDot;
use super::theme_toggle::ThemeToggle;
use super::watcher_pill::WatcherPill;

/// The main navigation: path and label.
const NAV: [(&str, &str, &str); 5] = [
    ("/", "Library", ""),
    ("/history", "History", ""),
    ("/settings", "Settings", "admin-only"),
    ("/users", "Users", "admin-only"),
    ("/sse-test", "Diagnostics", ""),
];

/// The top bar shown on every page; only its controls hydrate. Links marked `admin-only` are
/// hidden on a reader's page (`body[data-role]`, rendered by the server).
///
/// Plain links, each with an explicit `aria-current`: the islands router patches the attributes
/// the next page has onto the ones this page has, so one that is left out would stay behind.
#[component]
pub fn Header() -> impl IntoView {
    let here = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let links = NAV.map(|(href, label, class)| {
        let current = if here == href { "page" } else { "false" };
        view! { <a href=href class=class aria-current=current>{label}</a> }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Longbox"</a>
            <nav class="nav" aria-label="Main">
                {links}
            </nav>
            <StatusControls/>
            <crate::ready::IslandEnd/>
        </header>
    }
}

/// The live controls at the right of the top bar (an island).
#[island]
pub fn StatusControls() -> impl IntoView {
    crate::ready::island_ready();
    view! {
        <div class="topbar-controls">
            <WatcherPill/>
            <ConnectionDot/>
            <ThemeToggle/>
        </div>
    }
}
