//! `/history`: every processed file, newest first, paged.

use crate::api::{paths, HistoryPage, JobAction};
use crate::client;
use crate::components::connection_dot::clock;
use crate::components::file_list::{date, enclosing, event_action};
use crate::components::job_panel::undo_job;
use crate::live::use_live;
use leptos::prelude::*;
use leptos::task::spawn_local;

const PER_PAGE: u32 = 50;

/// The history table (an island).
#[island(lazy)]
pub fn HistoryPage() -> impl IntoView {
    let live = use_live();
    crate::ready::island_ready();
    let root = NodeRef::<leptos::html::Section>::new();
    let in_document = crate::ready::in_document(root);
    let offset = RwSignal::new(0u32);
    let data = RwSignal::new(None::<Result<HistoryPage, String>>);
    Effect::new(move |_| {
        let off = offset.get();
        live.refresh.track();
        if !in_document() {
            return;
        }
        spawn_local(async move {
            let url = format!("{}?limit={PER_PAGE}&offset={off}", paths::HISTORY);
            data.set(Some(client::get::<HistoryPage>(&url).await));
        });
    });
    let total = move || {
        data.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, |p| p.total)
        })
    };
    let at_end = move || (offset.get() + PER_PAGE) as u64 >= total();
    // The rows' Undo buttons share one listener; the row names its job.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some((control, action)) = event_action(&ev) {
            if let (true, Some(id)) = (action == "undo", enclosing(&control, "data-job-id")) {
                undo_job(live, id);
            }
        }
    };
    view! {
        <section class="history" node_ref=root>
            <h1>"Processing history"</h1>
            {move || match data.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! { <p class="empty">"Nothing processed yet."</p> }.into_any(),
                Some(Ok(page)) => {
                    let mut last_job = None::<String>;
                    view! {
                    <div class="table-wrap">
                        <table class="files">
                            <thead><tr><th>"When"</th><th>"Action"</th><th>"Result"</th><th>"Before"</th><th>"After"</th></tr></thead>
                            <tbody on:click=on_click>
                                {page.items.into_iter().map(|h| {
                                    // One Undo per job, on its first (newest) row of the page; the
                                    // stylesheet hides the others.
                                    let first = h.job_id.is_some() && h.job_id != last_job && h.action != JobAction::Undo;
                                    let undo = if first { "yes" } else { "no" };
                                    last_job.clone_from(&h.job_id);
                                    view! {
                                    <tr data-outcome=h.outcome.as_str() data-job-id=h.job_id.clone() data-undo=undo>
                                        <td>{format!("{} {}", date(h.at), clock(h.at * 1000.0))}</td>
                                        <td>{h.action.as_str()}
                                            <button type="button" class="link small undo-job" data-action="undo">"Undo job"</button></td>
                                        <td><span class=format!("badge badge-{}", h.outcome.as_str())>{h.outcome.as_str()}</span>
                                            {h.error.clone().map(|e| view! { <div class="small muted">{e}</div> })}</td>
                                        <td class="muted">{h.old_path.clone()}</td>
                                        <td>{h.new_path.clone()}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
                }
            }}
            <nav class="pagination" aria-label="History pages">
                <button type="button" disabled=move || offset.get() == 0
                    on:click=move |_| offset.update(|o| *o = o.saturating_sub(PER_PAGE))>"‹ Newer"</button>
                <span>{move || format!("{}–{} of {}", offset.get() + 1, (offset.get() + PER_PAGE).min(total() as u32), total())}</span>
                <button type="button" disabled=at_end
                    on:click=move |_| offset.update(|o| *o += PER_PAGE)>"Older ›"</button>
            </nav>
        </section>
    }
}
