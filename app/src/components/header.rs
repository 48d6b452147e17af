//! The top bar: product name, navigation and global controls.

use leptos::prelude::*;

use super::connection_dot::ConnectionDot;
use super::theme_toggle::ThemeToggle;
use super::watcher_pill::WatcherPill;
use leptos_router::components::A;

/// The top bar shown on every page; only its controls hydrate. Links marked `admin-only` are
/// hidden once the accounts island knows the page is a reader's (`body[data-role]`).
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Longbox"</a>
            <nav class="nav" aria-label="Main">
                <A href="/">"Library"</A>
                <A href="/history">"History"</A>
                <A href="/settings" attr:class="admin-only">"Settings"</A>
                <A href="/users" attr:class="admin-only">"Users"</A>
                <A href="/sse-test">"Diagnostics"</A>
            </nav>
            <StatusControls/>
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
