//! The browser entry point: hydrates the server-rendered page with the shared `app` crate.

#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: the page may be a lazy route, whose code is fetched before it hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
