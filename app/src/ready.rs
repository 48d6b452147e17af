//! Sets `data-hydrated="true"` on `<body>` once every island of the page has hydrated, so
//! end-to-end tests (and anyone curious) know when the page has become interactive.
//!
//! Islands hydrate one by one when the browser is idle, so each reports itself and the last one
//! marks the page.

use leptos::prelude::*;

/// Called in the body of every island. Returns whether the island has hydrated: false while it
/// hydrates (its first effect run comes after), true from then on.
///
/// A lazy island hydrates only once its code has arrived, when the live stream may already have
/// changed the shared state. Until this turns true it must render what the server rendered, the
/// initial state, or hydration finds different markup and fails.
pub fn island_ready() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        set_hydrated.set(true);
        browser::report();
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = set_hydrated;
    hydrated
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;

    thread_local! {
        /// Islands hydrated so far on this page.
        static HYDRATED: Cell<u32> = const { Cell::new(0) };
    }

    pub(super) fn report() {
        let done = HYDRATED.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let total = document
            .query_selector_all("leptos-island")
            .map_or(0, |list| list.length());
        if done >= total {
            if let Some(body) = document.body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        }
    }
}
