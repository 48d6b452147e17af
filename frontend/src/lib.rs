//! The browser entry point. The page is rendered on the server; only its islands (the live,
//! interactive parts, defined in the shared `app` crate) hydrate.

#![recursion_limit = "256"]

// Links the islands' exported hydrate functions into this WASM module.
#[allow(unused_imports)]
use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
