//! Search, filter, sort and page size for the file list, plus pagination.

use crate::api::{Direction, FileFilter, FileQuery, FileSort};
use crate::components::file_list::event_action;
use leptos::prelude::*;

/// Page sizes offered.
pub const PAGE_SIZES: [u32; 5] = [25, 50, 100, 200, 500];

/// Debounce of the search box.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const SEARCH_DEBOUNCE_MS: u64 = 300;

fn filter_str(f: FileFilter) -> &'static str {
    match f {
        FileFilter::All => "all",
        FileFilter::Processed => "processed",
        FileFilter::Unprocessed => "unprocessed",
        FileFilter::Duplicates => "duplicates",
    }
}

fn sort_str(s: FileSort) -> &'static str {
    match s {
        FileSort::Name => "name",
        FileSort::Date => "date",
        FileSort::Size => "size",
    }
}

/// The query as URL parameters (defaults left out).
pub fn to_query_string(q: &FileQuery) -> String {
    let d = FileQuery::default();
    let mut parts = Vec::new();
    if q.page != d.page {
        parts.push(format!("page={}", q.page));
    }
    if q.per_page != d.per_page {
        parts.push(format!("per_page={}", q.per_page));
    }
    if !q.search.is_empty() {
        parts.push(format!("search={}", crate::client::encode(&q.search)));
    }
    if q.filter != d.filter {
        parts.push(format!("filter={}", filter_str(q.filter)));
    }
    if q.sort != d.sort {
        parts.push(format!("sort={}", sort_str(q.sort)));
    }
    if q.direction != d.direction {
        parts.push("direction=desc".to_string());
    }
    if q.grid {
        parts.push("view=grid".to_string());
    }
    parts.join("&")
}

/// Reads a query from URL parameters, ignoring what does not parse.
pub fn from_params(get: &dyn Fn(&str) -> Option<String>) -> FileQuery {
    let d = FileQuery::default();
    FileQuery {
        page: get("page")
            .and_then(|v| v.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(d.page),
        per_page: get("per_page")
            .and_then(|v| v.parse().ok())
            .filter(|p| PAGE_SIZES.contains(p))
            .unwrap_or(d.per_page),
        search: get("search").unwrap_or_default(),
        filter: match get("filter").as_deref() {
            Some("processed") => FileFilter::Processed,
            Some("unprocessed") => FileFilter::Unprocessed,
            Some("duplicates") => FileFilter::Duplicates,
            _ => FileFilter::All,
        },
        sort: match get("sort").as_deref() {
            Some("date") => FileSort::Date,
            Some("size") => FileSort::Size,
            _ => FileSort::Name,
        },
        direction: match get("direction").as_deref() {
            Some("desc") => Direction::Desc,
            _ => Direction::Asc,
        },
        grid: get("view").as_deref() == Some("grid"),
    }
}

/// The controls above the table. `set` receives the new query (page reset to 1).
#[component]
pub fn FileToolbar(
    query: Signal<FileQuery>,
    set: Callback<FileQuery>,
    group: RwSignal<bool>,
) -> impl IntoView {
    let change = move |f: &dyn Fn(&mut FileQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        q.page = 1;
        set.run(q);
    };
    let pending_search = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let on_search = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some(h) = pending_search.get_value() {
            h.clear();
        }
        #[cfg(feature = "hydrate")]
        {
            let handle = set_timeout_with_handle(
                move || change(&|q| q.search = value.clone()),
                std::time::Duration::from_millis(SEARCH_DEBOUNCE_MS),
            )
            .ok();
            pending_search.set_value(handle);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = value;
    };
    // The selects and the checkbox share one listener; each names its setting in `data-action`.
    let on_change = move |ev: leptos::ev::Event| {
        let Some((_, setting)) = event_action(&ev) else {
            return;
        };
        let value = event_target_value(&ev);
        match setting.as_str() {
            "group" => group.update(|g| *g = !*g),
            "per_page" => change(&|q| q.per_page = value.parse().unwrap_or(50)),
            // `from_params` reads the value exactly as it reads the URL.
            "filter" => change(&|q| {
                q.filter = from_params(&|k| (k == "filter").then(|| value.clone())).filter
            }),
            "sort" => {
                change(&|q| q.sort = from_params(&|k| (k == "sort").then(|| value.clone())).sort)
            }
            _ => {}
        }
    };
    // What the server renders as chosen (properties are not part of the HTML): the query the
    // page was rendered for, so the controls show it before and after hydration.
    let initial = query.get_untracked();
    let filter_now = filter_str(initial.filter);
    let sort_now = sort_str(initial.sort);
    view! {
        <div class="toolbar" role="search" on:change=on_change>
            <input
                class="search"
                type="search"
                placeholder="Search names and folders"
                aria-label="Search"
                value=initial.search
                prop:value=move || query.get().search
                on:input=on_search
            />
            <label class="field">
                <span>"Show"</span>
                <select aria-label="Filter" data-action="filter" prop:value=move || filter_str(query.get().filter)>
                    <option value="all" selected=filter_now == "all">"All"</option>
                    <option value="unprocessed" selected=filter_now == "unprocessed">"Unprocessed"</option>
                    <option value="processed" selected=filter_now == "processed">"Processed"</option>
                    <option value="duplicates" selected=filter_now == "duplicates">"Duplicates"</option>
                </select>
            </label>
            <label class="field">
                <span>"Sort"</span>
                <select aria-label="Sort by" data-action="sort" prop:value=move || sort_str(query.get().sort)>
                    <option value="name" selected=sort_now == "name">"Name"</option>
                    <option value="date" selected=sort_now == "date">"Date"</option>
                    <option value="size" selected=sort_now == "size">"Size"</option>
                </select>
            </label>
            <button
                type="button"
                class="direction"
                aria-label="Sort direction"
                on:click=move |_| change(&|q| {
                    q.direction = if q.direction == Direction::Asc { Direction::Desc } else { Direction::Asc }
                })
            >
                {move || if query.get().direction == Direction::Asc { "↑ Asc" } else { "↓ Desc" }}
            </button>
            <label class="field">
                <span>"Per page"</span>
                <select aria-label="Files per page" data-action="per_page" prop:value=move || query.get().per_page.to_string()>
                    {PAGE_SIZES.map(|n| view! {
                        <option value=n.to_string() selected=n == initial.per_page>{n}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" data-action="group" prop:checked=move || group.get()/>
                "Group by folder"
            </label>
            <crate::components::cover_grid::ViewToggle query=query set=set/>
        </div>
    }
}

/// Previous / next and "page x of y".
#[component]
pub fn Pagination(
    query: Signal<FileQuery>,
    total_pages: Signal<u32>,
    set: Callback<FileQuery>,
) -> impl IntoView {
    let go = move |delta: i64| {
        let mut q = query.get_untracked();
        let next = (q.page as i64 + delta).clamp(1, total_pages.get_untracked().max(1) as i64);
        q.page = next as u32;
        set.run(q);
    };
    let at_first = move || query.get().page <= 1;
    let at_last = move || query.get().page >= total_pages.get();
    view! {
        <nav class="pagination" aria-label="Pages">
            <button type="button" on:click=move |_| go(-1) disabled=at_first>"‹ Prev"</button>
            <span>{move || format!("Page {} of {}", query.get().page, total_pages.get().max(1))}</span>
            <button type="button" on:click=move |_| go(1) disabled=at_last>"Next ›"</button>
        </nav>
    }
}
