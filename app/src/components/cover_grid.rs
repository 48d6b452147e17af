//! The library's grid view: the same rows as the table, laid out as cards by CSS
//! (`.table-wrap.grid` in `style/main.css`), each with its cover, loaded lazily by the browser.
//! Kept to a toggle and one `<img>` per row, since it is in the main bundle.

use crate::api::FileQuery;
use leptos::prelude::*;

/// The list/grid switch; the choice is part of the query, so it is in the URL (`view=grid`).
#[component]
pub fn ViewToggle(query: Signal<FileQuery>, set: Callback<FileQuery>) -> impl IntoView {
    let toggle = move |_| {
        let mut q = query.get_untracked();
        q.grid = !q.grid;
        set.run(q);
    };
    view! {
        <button type="button" class="view-toggle" aria-pressed=move || query.get().grid.to_string() on:click=toggle>
            "Grid"
        </button>
    }
}

/// A row's cover, shown in the grid only (so the table view requests no images).
pub fn thumb(grid: Signal<bool>, cover: Option<String>, name: &str) -> impl IntoView + use<> {
    let alt = format!("Cover of {name}");
    move || {
        let src = cover.clone().filter(|_| grid.get())?;
        Some(view! { <img class="thumb" loading="lazy" src=src alt=alt.clone()/> })
    }
}
