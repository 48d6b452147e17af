//! The jobs panel: a progress bar per active job, finished jobs with their summary and errors.

use crate::api::JobView;
use crate::client;
use crate::components::file_list::{enclosing, event_action};
use crate::events::{JobUpdated, NotificationLevel};
use crate::live::{use_live, Live};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Loads the job list (on mount and after a resync) into the live signals.
fn load_jobs(live: Live) {
    spawn_local(async move {
        // Each row of the list read as the event payload it matches (id, status, progress).
        if let Ok(mut jobs) = client::get::<Vec<JobUpdated>>("/api/jobs").await {
            jobs.reverse(); // oldest first, like events
            live.jobs.set(jobs);
        }
    });
}

/// All jobs of the tab, newest first; collapsible (an island).
#[island]
pub fn JobPanel() -> impl IntoView {
    let live = use_live();
    crate::ready::island_ready();
    let open = RwSignal::new(true);
    Effect::new(move |_| {
        live.resyncs.track();
        load_jobs(live);
    });
    let recent = move || {
        let jobs: Vec<JobUpdated> = live.jobs.get().into_iter().rev().take(8).collect();
        jobs
    };
    let active = move || {
        live.jobs
            .with(|j| j.iter().filter(|x| !x.status.is_finished()).count())
    };
    // Cancel and Remove of every row share one listener; the row names its job.
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
            _ => {}
        }
    };
    view! {
        <section class="jobs" aria-label="Jobs">
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
                        key=|j| (j.job_id.clone(), j.progress.processed, j.status.as_str())
                        let:job
                    >
                        <JobRow job=job/>
                    </For>
                </ul>
                <Show when=move || live.jobs.with(|j| j.is_empty())>
                    <p class="muted small">"No jobs yet. Select files and pick an action."</p>
                </Show>
            </Show>
        </section>
    }
}

/// One job: bar, counters, and cancel or dismiss.
#[component]
fn JobRow(job: JobUpdated) -> impl IntoView {
    let p = job.progress;
    let finished = job.status.is_finished();
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
        <li class="job" data-status=job.status.as_str() data-job-id=id.clone()>
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
    let Ok(view) = client::get::<JobView>(&format!("/api/jobs/{id}")).await else {
        return Vec::new();
    };
    view.items
        .unwrap_or_default()
        .into_iter()
        .filter(|i| {
            i.outcome
                .as_deref()
                .is_some_and(|o| o == "failed" || o == "duplicate")
        })
        .map(|i| format!("{}: {}", i.path, i.error.unwrap_or_default()))
        .collect()
}

/// Asks the server to stop a job; the outcome arrives as a `job_updated` event.
fn cancel_job(live: Live, id: String) {
    spawn_local(async move {
        let url = format!("/api/jobs/{id}/cancel");
        if let Err(e) = client::send_text::<serde::de::IgnoredAny>("POST", &url, None).await {
            live.toast(NotificationLevel::Warning, format!("Cancel: {e}"));
        }
    });
}

/// Deletes a finished job and forgets it.
fn remove_job(live: Live, id: String) {
    spawn_local(async move {
        let url = format!("/api/jobs/{id}");
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
