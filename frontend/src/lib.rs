//! The browser entry point. The page is rendered on the server; only its islands (the live,
//! interactive parts, defined in the shared `app` crate) hydrate.

#![recursion_limit = "256"]

// Links the islands' exported hydrate functions into this WASM module.
#[allow(unused_imports)]
use app::*;

/// Smaller in the bundle than the default allocator (dlmalloc), and faster (talc's benchmarks).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
