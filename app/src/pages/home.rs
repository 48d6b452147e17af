//! `/`: the library page.

use leptos::prelude::*;

/// The main page: the file list and what is happening to it.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <section class="library">
            <h1>"Library"</h1>
        </section>
    }
}
