//! The top bar: product name, navigation and global controls.

use leptos::prelude::*;

use super::connection_dot::ConnectionDot;
use super::theme_toggle::ThemeToggle;

/// The top bar shown on every page.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Longbox"</a>
            <nav class="nav"></nav>
            <div class="topbar-controls">
                <ConnectionDot/>
                <ThemeToggle/>
            </div>
        </header>
    }
}
