//! The dry run shown before a job starts: what it would do to each file, with Apply and Cancel.

use crate::api::{
    paths, JobCreated, JobFiles, JobPreview, JobRequest, PreviewItem, PreviewOutcome,
};
use crate::client;
use crate::events::NotificationLevel;
use crate::live::Live;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::any::Any;
use std::cell::RefCell;
use std::time::Duration;

/// Rows shown at most; the totals count every file.
const SHOWN_ROWS: usize = 500;

thread_local! {
    /// The open dialog: its view and reactive owner. Dropping it unmounts the dialog.
    static OPEN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Opens a modal dialog for `req` (a dry run request): it asks the server what the job would do,
/// shows it as a table, and on Apply starts the job for real; Cancel, Escape and Apply close it.
///
/// A separate chunk (`#[lazy]`), fetched the first time a job is started, that mounts the dialog
/// on `<body>` itself: the island only calls this function, and since the dialog is only ever
/// rendered in the browser it needs neither server rendering nor hydration code.
#[lazy]
pub(crate) fn open_preview(req: JobRequest, live: Live) {
    drop_dialog();
    let Some(body) = document().body() else {
        return;
    };
    let handle = leptos::mount::mount_to_renderer(&body, move || dialog(req, live));
    OPEN.with(|o| *o.borrow_mut() = Some(Box::new(handle)));
}

/// Unmounts the open dialog, if any.
fn drop_dialog() {
    let open = OPEN.with(|o| o.borrow_mut().take());
    drop(open);
}

/// The dialog itself. It is mounted on its own, outside the page's islands, so it is handed the
/// page's [`Live`] rather than finding it in context.
fn dialog(req: JobRequest, live: Live) -> impl IntoView {
    let data = RwSignal::new(None::<JobPreview>);
    let applying = RwSignal::new(false);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // Closing the native dialog gives focus back to the control that opened it and fires
    // `close`, which unmounts it (after the event, not while its handler runs).
    let close = move || match dialog.try_get_untracked().flatten() {
        Some(d) if d.open() => d.close(),
        Some(_) => set_timeout(drop_dialog, Duration::ZERO),
        None => {} // already gone
    };
    // Modal: the rest of the page is inert, Escape closes it, and focus goes to the element
    // with `autofocus` (Apply).
    dialog.on_load(move |d| {
        let _ = d.show_modal();
    });
    let verb = match req.action.as_str() {
        "rename" => "Rename",
        "normalize" => "Tag",
        _ => "Process",
    };
    let files = match &req.files {
        JobFiles::List(l) => plural(l.len() as u64, "file"),
        JobFiles::Named(n) if n == "all" => "all files".to_string(),
        JobFiles::Named(_) => "unprocessed files".to_string(),
    };
    let title = format!("{verb} {files}: preview");
    let apply_req = JobRequest {
        dry_run: false,
        ..req.clone()
    };
    spawn_local(async move {
        match client::send::<JobPreview, _>("POST", paths::JOBS, Some(&req)).await {
            Ok(p) => {
                let _ = data.try_set(Some(p));
            }
            Err(e) => {
                live.toast(NotificationLevel::Error, format!("Cannot preview: {e}"));
                close();
            }
        }
    });
    let not_ready = move || data.with(Option::is_none) || applying.get();
    let apply = move |_| {
        if not_ready() {
            return;
        }
        applying.set(true);
        let body = apply_req.clone();
        spawn_local(async move {
            match client::send::<JobCreated, _>("POST", paths::JOBS, Some(&body)).await {
                Ok(job) => live.toast(
                    NotificationLevel::Info,
                    format!("Job started: {} {} files", body.action, job.total_items),
                ),
                Err(e) => live.toast(NotificationLevel::Error, format!("Cannot start job: {e}")),
            }
            close();
        });
    };
    view! {
        <dialog
            node_ref=dialog
            class="job-preview"
            role="dialog"
            aria-modal="true"
            aria-labelledby="job-preview-title"
            aria-describedby="job-preview-totals"
            on:close=move |_| set_timeout(drop_dialog, Duration::ZERO)
        >
            <h2 id="job-preview-title">{title}</h2>
            {move || match data.get() {
                None => Either::Left(view! {
                    <p id="job-preview-totals" class="muted" role="status">"Working out what would change…"</p>
                }),
                Some(p) => Either::Right(preview_table(p)),
            }}
            <div class="dialog-actions">
                <button type="button" on:click=move |_| close()>"Cancel"</button>
                <button
                    type="button"
                    class="primary"
                    autofocus=true
                    aria-disabled=move || not_ready().to_string()
                    on:click=apply
                >
                    {move || if applying.get() { "Starting…" } else { "Apply" }}
                </button>
            </div>
        </dialog>
    }
}

/// The totals and one row per file.
fn preview_table(p: JobPreview) -> impl IntoView {
    let total = p.items.len();
    let unchanged = (total as u64).saturating_sub(p.changes + p.conflicts + p.errors);
    let hidden = total.saturating_sub(SHOWN_ROWS);
    let rows = p
        .items
        .into_iter()
        .take(SHOWN_ROWS)
        .map(preview_row)
        .collect_view();
    view! {
        <p id="job-preview-totals" class="preview-totals" role="status">
            <span>{plural(total as u64, "file")}</span>
            <span class="badge badge-change">{format!("{} to change", p.changes)}</span>
            <span class="badge">{format!("{unchanged} unchanged")}</span>
            <span class="badge badge-conflict">{plural(p.conflicts, "conflict")}</span>
            <span class="badge badge-error">{plural(p.errors, "error")}</span>
        </p>
        <div class="table-wrap preview-wrap">
            <table class="files preview-table">
                <caption class="visually-hidden">"What the job would do to each file"</caption>
                <thead>
                    <tr>
                        <th scope="col">"File"</th>
                        <th scope="col">"New name"</th>
                        <th scope="col">"Tag changes"</th>
                        <th scope="col">"Result"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {(hidden > 0).then(|| view! {
            <p class="muted small">{format!("…and {hidden} more (the totals count them)")}</p>
        })}
    }
}

/// One file: its new name, tag changes and outcome.
fn preview_row(item: PreviewItem) -> impl IntoView {
    let new_name = item.new_path.map(|new| {
        // Renames stay in the folder: show the name alone when that is so.
        let folder = |p: &str| p.rfind('/').map_or(0, |i| i + 1);
        let (old_dir, new_dir) = (&item.path[..folder(&item.path)], &new[..folder(&new)]);
        if old_dir == new_dir {
            new[new_dir.len()..].to_string()
        } else {
            new.clone()
        }
    });
    // An error leaves nothing to compare.
    let same = if item.outcome == PreviewOutcome::Error {
        "—"
    } else {
        "unchanged"
    };
    let tags = if item.tag_changes.is_empty() {
        Either::Left(view! { <li class="muted">{same}</li> })
    } else {
        Either::Right(
            item.tag_changes
                .into_iter()
                .map(|c| {
                    view! {
                        <li>
                            <span class="tag-field">{c.field}": "</span>
                            <span class="tag-old">{c.old.unwrap_or_else(|| "(none)".into())}</span>
                            " → "
                            <span class="tag-new">{c.new}</span>
                        </li>
                    }
                })
                .collect_view(),
        )
    };
    view! {
        <tr data-outcome=item.outcome.as_str()>
            <th scope="row" class="name">{item.path}</th>
            <td class="new-name">
                {match new_name {
                    Some(n) => Either::Left(view! { <span>{n}</span> }),
                    None => Either::Right(view! { <span class="muted">{same}</span> }),
                }}
            </td>
            <td><ul class="tag-changes">{tags}</ul></td>
            <td>
                <span class=format!("badge badge-{}", item.outcome.as_str())>{item.outcome.as_str()}</span>
                {item.conflict.map(|c| view! { <div class="small conflict">{c}</div> })}
                {item.error.map(|e| view! { <div class="small error">{e}</div> })}
                {item.note.map(|n| view! { <div class="small muted">{n}</div> })}
            </td>
        </tr>
    }
}

/// `1 file`, `2 files`.
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
