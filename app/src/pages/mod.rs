//! One module per route. The home page ships in the main WASM bundle; the other pages are lazy
//! routes: with `cargo leptos build --split` their code is a separate chunk, fetched when the page
//! is first visited (or rendered on load), so the main page downloads less.

pub mod diagnostics;
pub mod history;
pub mod home;
pub mod settings;

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `/settings`, loaded on demand.
pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
        SettingsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <settings::SettingsPage/> }.into_any()
    }
}

/// `/history`, loaded on demand.
pub struct HistoryRoute;

#[lazy_route]
impl LazyRoute for HistoryRoute {
    fn data() -> Self {
        HistoryRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <history::HistoryPageView/> }.into_any()
    }
}

/// `/sse-test`, loaded on demand.
pub struct DiagnosticsRoute;

#[lazy_route]
impl LazyRoute for DiagnosticsRoute {
    fn data() -> Self {
        DiagnosticsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <diagnostics::DiagnosticsPage/> }.into_any()
    }
}
