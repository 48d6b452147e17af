//! The jobs panel: a progress bar per active job, finished jobs with their summary and errors.

use crate::api::page::JobSummary;
use crate::api::{paths, ItemOutcome, JobAction, JobView};
use crate::client;
use crate::components::file_list::{enclosing, event_action};
use crate::events::{JobUpdated, NotificationLevel};
use crate::live::{use_live, Live};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

/// What the panel knows of jobs beyond their events, which do not carry the action: the jobs the
/// server listed (or was asked about), and those of them that can be undone (all but `undo` jobs).
#[derive(Clone, Copy)]
struct Actions {
    /// The list has been read once.
    listed: RwSignal<bool>,
    known: RwSignal<HashSet<String>>,
    undoable: RwSignal<HashSet<String>>,
}

impl Actions {
    /// Takes note of listed jobs.
    fn note(&self, listed: &[JobSummary]) {
        self.known.update(|k| {
            for j in listed {
                k.insert(j.job_id.clone());
            }
        });
        self.undoable.update(|u| {
            for j in listed.iter().filter(|j| j.action != JobAction::Undo) {
                u.insert(j.job_id.clone());
            }
        });
        self.listed.set(true);
    }
}

/// Loads the job list into `actions`, and with `all` the jobs themselves into the live signals
/// (on mount and after a resync; otherwise the jobs' own events are newer than the list).
fn load_jobs(live: Live, actions: Actions, all: bool) {
    spawn_local(async move {
        let Ok(listed) = client::get::<Vec<JobSummary>>(paths::JOBS).await else {
            return;
        };
        actions.note(&listed);
        if all {
            live.jobs.set(crate::api::page::job_updates(&listed));
        }
    });
}

/// All jobs of the tab, newest first; collapsible (an island).
#[island]
pub fn JobPanel() -> impl IntoView {
    let live = use_live();
    crate::ready::island_ready();
    let root = NodeRef::<leptos::html::Section>::new();
    let in_document = crate::ready::in_document(root);
    let open = RwSignal::new(true);
    let actions = Actions {
        listed: RwSignal::new(false),
        known: RwSignal::new(HashSet::new()),
        undoable: RwSignal::new(HashSet::new()),
    };
    // The jobs the server rendered the page with, if that is still current (the live state
    // holds them already); else, and after a resync, the list is read.
    let rendered = crate::live::page_state();
    if live.is_at(&rendered) && rendered.watcher.is_some() {
        actions.note(&rendered.jobs);
    }
    let load_first = !actions.listed.get_untracked();
    Effect::new(move |first: Option<()>| {
        live.resyncs.track();
        if (first.is_some() || load_first) && in_document() {
            load_jobs(live, actions, true);
        }
    });
    // The recent jobs, each with whether it can be undone. A job that finished but was started
    // after the list was read (here, elsewhere, or by the watcher) is looked up once.
    let recent = move || {
        let jobs: Vec<(JobUpdated, bool)> = live
            .jobs
            .get()
            .into_iter()
            .rev()
            .take(8)
            .map(|j| {
                let id = &j.job_id;
                if j.status.is_finished()
                    && actions.listed.get_untracked()
                    && !actions.known.with_untracked(|k| k.contains(id))
                {
                    actions.known.update_untracked(|k| {
                        k.insert(id.clone());
                    });
                    load_jobs(live, actions, false);
                }
                let undoable = actions.undoable.with(|u| u.contains(id));
                (j, undoable)
            })
            .collect();
        jobs
    };
    let active = move || {
        live.jobs
            .with(|j| j.iter().filter(|x| !x.status.is_finished()).count())
    };
    // Cancel, Undo and Remove of every row share one listener; the row names its job.
    let on_job_click = move |ev: leptos::ev::MouseEvent| {
        let Some((control, action)) = event_action(&ev) else {
            return;
        };
        let Some(id) = enclosing(&control, "data-job-id") else {
            return;
        };
        match action.as_str() {
            "cancel" => cancel_job(live, id),
            "remove" => remove_job(live, id),
            "undo" => undo_job(live, id),
            _ => {}
        }
    };
    view! {
        <section class="jobs" aria-label="Jobs" node_ref=root>
            <button
                class="jobs-header"
                type="button"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span>"Jobs"</span>
                <span class="badge">{move || format!("{} active", active())}</span>
            </button>
            <Show when=move || open.get()>
                <ul class="job-list" on:click=on_job_click>
                    <For
                        each=recent
                        key=|(j, undoable)| (j.job_id.clone(), j.progress.processed, j.status.as_str(), *undoable)
                        let:item
                    >
                        <JobRow job=item.0 undoable=item.1/>
                    </For>
                </ul>
                <Show when=move || live.jobs.with(|j| j.is_empty())>
                    <p class="muted small">"No jobs yet. Select files and pick an action."</p>
                </Show>
            </Show>
        </section>
    }
}

/// One job: bar, counters, and cancel, or undo and dismiss.
#[component]
fn JobRow(job: JobUpdated, undoable: bool) -> impl IntoView {
    let p = job.progress;
    let finished = job.status.is_finished();
    // Whether the Undo button shows (the stylesheet hides it otherwise, and for a job that failed
    // as a whole, which changed nothing): cheaper in the bundle than a button that may be absent.
    let undo = if undoable { "yes" } else { "no" };
    let id = job.job_id.clone();
    let errors = RwSignal::new(Vec::<String>::new());
    let show_errors = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            spawn_local(async move { errors.set(failed_items(id).await) });
        }
    };
    view! {
        <li class="job" data-status=job.status.as_str() data-job-id=id.clone() data-undo=undo>
            <div class="job-line">
                <span class="job-status">{job.status.as_str()}</span>
                <span class="job-counts">
                    {format!("{}/{} · {} ok · {} errors", p.processed, p.total, p.success, p.errors)}
                </span>
                <span class="job-pct">{format!("{}%", whole_percent(p.percentage))}</span>
            </div>
            <div
                class="bar"
                role="progressbar"
                aria-label="Progress"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=whole_percent(p.percentage).to_string()
            >
                <div class="bar-fill" style=format!("width: {}%", whole_percent(p.percentage))></div>
            </div>
            <div class="job-actions">
                {if finished {
                    Either::Left(view! {
                        <button type="button" class="link" on:click=show_errors disabled=p.errors == 0>
                            "Show errors"
                        </button>
                        <button type="button" class="link" data-action="undo">"Undo"</button>
                        <button type="button" class="link" data-action="remove">"Remove"</button>
                    })
                } else {
                    Either::Right(view! { <button type="button" class="danger" data-action="cancel">"Cancel"</button> })
                }}
            </div>
            <ul class="job-errors">
                {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
        </li>
    }
}

/// The failed items of a job, as `path: error` lines. A separate chunk (`#[lazy]`), fetched
/// when someone first asks: the item list and its parsing are not needed to show progress.
#[lazy]
async fn failed_items(id: String) -> Vec<String> {
    let Ok(view) = client::get::<JobView>(&paths::job(&id)).await else {
        return Vec::new();
    };
    view.items
        .unwrap_or_default()
        .into_iter()
        .filter(|i| {
            matches!(
                i.outcome,
                Some(ItemOutcome::Failed | ItemOutcome::Duplicate)
            )
        })
        .map(|i| format!("{}: {}", i.path, i.error.unwrap_or_default()))
        .collect()
}

/// Asks the server to stop a job; the outcome arrives as an event of the job.
fn cancel_job(live: Live, id: String) {
    spawn_local(async move {
        let url = paths::job_cancel(&id);
        if let Err(e) = client::send_text::<serde::de::IgnoredAny>("POST", &url, None).await {
            live.toast(NotificationLevel::Warning, format!("Cancel: {e}"));
        }
    });
}

/// Asks the server to undo a finished job: a new `undo` job, shown like any other (the server
/// refuses, 409, a job that is still running or changed nothing).
pub(crate) fn undo_job(live: Live, id: String) {
    spawn_local(async move {
        let url = paths::job_undo(&id);
        match client::send_text::<serde::de::IgnoredAny>("POST", &url, None).await {
            Ok(_) => live.toast(NotificationLevel::Info, "Undo started"),
            Err(e) => live.toast(NotificationLevel::Error, format!("Cannot undo: {e}")),
        }
    });
}

/// Deletes a finished job and forgets it.
fn remove_job(live: Live, id: String) {
    spawn_local(async move {
        let url = paths::job(&id);
        match client::send_text::<serde::de::IgnoredAny>("DELETE", &url, None).await {
            Ok(_) => live.forget_job(&id),
            Err(e) => live.toast(NotificationLevel::Warning, format!("Remove job: {e}")),
        }
    });
}

/// A percentage rounded to a whole number (integer formatting keeps float printing code out of
/// the browser bundle).
fn whole_percent(p: f64) -> u32 {
    p.clamp(0.0, 100.0).round() as u32
}
