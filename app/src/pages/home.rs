//! `/`: the library page: status, jobs and the live file list.

use crate::api::{paths, FilePage, FileQuery, JobFiles, JobRequest};
use crate::client;
use crate::components::file_list::{event_action, FileTable};
use crate::components::file_toolbar::{from_params, to_query_string, FileToolbar, Pagination};
use crate::components::job_panel::JobPanel;
use crate::components::job_preview::open_preview;
use crate::live::use_live;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

/// The main page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <div class="library-layout">
            <Library/>
            <JobPanel/>
            <crate::ready::IslandEnd/>
        </div>
    }
}

/// The file list with its toolbar, batch actions and pagination (an island). Page, search,
/// filter and sort live in the URL: a change pushes a history entry, and back/forward restore
/// the query from it.
#[island]
pub fn Library() -> impl IntoView {
    let live = use_live();
    crate::ready::island_ready();
    let root = NodeRef::<leptos::html::Section>::new();
    let in_document = crate::ready::in_document(root);
    let query = RwSignal::new(url::current());
    let set_query = Callback::new(move |q: FileQuery| {
        url::push(&q);
        query.set(q);
    });
    url::follow_history(query);
    // The page the server rendered, if it is still current: no first fetch then. It is not
    // when events came after it was rendered (the live state has applied a later id), as
    // after a client-side navigation back to a page the stream has moved on from.
    let rendered = crate::live::page_state();
    let fetch_first = rendered.files.is_none() || !live.is_at(&rendered);
    let page = RwSignal::new(rendered.files);
    let error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(HashSet::<String>::new());
    let group = RwSignal::new(false);
    let generation = StoredValue::new(0u64);

    // Fetch the page when the query changes or the live stream says the list changed. The old
    // page stays on screen until the new one arrives: no flicker, selection kept.
    Effect::new(move |first: Option<()>| {
        let q = query.get();
        live.refresh.track();
        live.resyncs.track();
        if (first.is_none() && !fetch_first) || !in_document() {
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let url = format!(
            "{}?{}",
            paths::FILES,
            to_query_string(&FileQuery {
                per_page: q.per_page,
                ..q.clone()
            })
        );
        spawn_local(async move {
            let result = client::get::<FilePage>(&url).await;
            if generation.get_value() != mine {
                return; // a newer request was made
            }
            match result {
                Ok(p) => {
                    page.set(Some(p));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });

    // A job asked for is first shown as a dry run, with Apply to start it (`open_preview`, a
    // separate chunk that mounts its own dialog).
    let start_job = Callback::new(move |(action, files): (&'static str, JobFiles)| {
        let req = JobRequest {
            action: action.into(),
            files,
            dry_run: true,
        };
        spawn_local(open_preview(req, live))
    });
    let on_action = Callback::new(move |(action, paths): (&'static str, Vec<String>)| {
        start_job.run((action, JobFiles::List(paths)))
    });
    let selection = move || {
        selected.with(|s| {
            let mut v: Vec<String> = s.iter().cloned().collect();
            v.sort();
            v
        })
    };
    let none_selected = Memo::new(move |_| selected.with(HashSet::is_empty));
    // One listener for the bar's buttons, which name their action in `data-action`.
    let on_batch = move |ev: leptos::ev::MouseEvent| {
        let Some((_, action)) = event_action(&ev) else {
            return;
        };
        match action.as_str() {
            "process" => on_action.run(("process", selection())),
            "rename" => on_action.run(("rename", selection())),
            "normalize" => on_action.run(("normalize", selection())),
            "clear" => selected.set(HashSet::new()),
            "unprocessed" | "all" => start_job.run(("process", JobFiles::Named(action))),
            _ => {}
        }
    };
    let total_pages =
        Signal::derive(move || page.with(|p| p.as_ref().map_or(1, |p| p.total_pages)));

    let query = Signal::from(query);
    view! {
        <section class="library" node_ref=root>
            <div class="library-head">
                <h1>"Library"</h1>
                <p class="summary muted">
                    {move || page.with(|p| p.as_ref().map(|p| format!(
                        "{} files · {} unprocessed", p.total_files, p.unprocessed_count
                    )).unwrap_or_else(|| "Loading…".into()))}
                </p>
            </div>
            <FileToolbar query=query set=set_query group=group/>
            <div class="batch" role="group" aria-label="Batch actions" on:click=on_batch>
                <span class="muted">{move || format!("{} selected", selected.with(HashSet::len))}</span>
                <button type="button" class="primary" data-action="process" disabled=none_selected>"Process selected"</button>
                <button type="button" data-action="rename" disabled=none_selected>"Rename selected"</button>
                <button type="button" data-action="normalize" disabled=none_selected>"Tag selected"</button>
                <button type="button" data-action="clear" disabled=none_selected>"Clear"</button>
                <span class="spacer"></span>
                <button type="button" data-action="unprocessed">"Process unprocessed"</button>
                <button type="button" data-action="all">"Process all"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{format!("Cannot load files: {e}")}</p> })}
            <FileTable page=page selected=selected group=group grid=Signal::derive(move || query.get().grid) on_action=on_action/>
            <Pagination query=query total_pages=total_pages set=set_query/>
        </section>
    }
}

/// The query in the address bar; browser only (the server renders from the request's URL).
mod url {
    use super::*;

    /// The query in the URL: the request's on the server, the address bar's in the browser.
    /// Read directly rather than passed in, so the island has no props to serialise.
    pub(super) fn current() -> FileQuery {
        #[cfg(feature = "hydrate")]
        {
            from_location()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let params = leptos_router::hooks::use_query_map();
            params.with_untracked(|p| from_params(&|k| p.get(k)))
        }
    }

    #[cfg(feature = "hydrate")]
    fn from_location() -> FileQuery {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        match web_sys::UrlSearchParams::new_with_str(&search) {
            Ok(params) => from_params(&|k| params.get(k)),
            Err(_) => FileQuery::default(),
        }
    }

    /// Makes `q` the current URL, as a new history entry.
    pub(super) fn push(q: &FileQuery) {
        #[cfg(feature = "hydrate")]
        {
            let qs = to_query_string(q);
            let url = if qs.is_empty() {
                "/".to_string()
            } else {
                format!("/?{qs}")
            };
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = q;
    }

    /// On back/forward, sets `query` from the URL the browser went to.
    pub(super) fn follow_history(query: RwSignal<FileQuery>) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let Some(window) = web_sys::window() else {
                return;
            };
            let on_pop = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                query.set(from_location());
            });
            let _ = window
                .add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
            // The island lives as long as the page.
            on_pop.forget();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = query;
    }
}
