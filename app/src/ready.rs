//! Sets `data-hydrated="true"` on `<body>` once every island of the page has hydrated, so
//! end-to-end tests (and anyone curious) know when the page has become interactive.
//!
//! Islands hydrate one by one when the browser is idle, so each reports itself and the last one
//! marks the page.
//!
//! It also tells an island whether a client-side navigation has taken it out of the document
//! ([`in_document`]): Leptos leaves such an island's effects running, so those that fetch on
//! live events check first (an old file list would still refetch on every change).

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

/// Whether the element `root` names is still in the document (true before it is mounted). An
/// island of the routed content checks it before fetching on a live event: once a navigation has
/// removed the island it is not cleaned up (its pending fetches and timers would then touch
/// disposed signals), only idle.
pub fn in_document<E>(root: NodeRef<E>) -> impl Fn() -> bool + Copy + 'static
where
    E: leptos::html::ElementType,
    E::Output: leptos::wasm_bindgen::JsCast + Clone + 'static,
{
    move || {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            root.get_untracked()
                .is_none_or(|el| el.unchecked_ref::<web_sys::Element>().is_connected())
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = root;
            true
        }
    }
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

/// Goes right after an island that would be the last child of its parent. On a client-side
/// navigation the islands router steps over each island to its next sibling; where there is
/// none, it walks into the island instead and patches its live markup back to what the server
/// rendered (a connection dot that says "connecting" again, say).
#[component]
pub fn IslandEnd() -> impl IntoView {
    view! { <span class="island-end" hidden></span> }
}
