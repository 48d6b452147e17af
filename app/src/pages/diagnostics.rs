//! `/sse-test`: the live connection under a microscope: state, id, event log, connect and
//! disconnect, a manual broadcast form, and the hub's stats and connections, refreshed as
//! events arrive (never on a timer).

use crate::api::{paths, Broadcasted, ConnectionStatus, EventStats};
use crate::client;
use crate::components::connection_dot::clock;
use crate::events::{EventType, NotificationLevel};
use crate::live::use_live;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The diagnostics page (an island).
#[island(lazy)]
pub fn DiagnosticsPage() -> impl IntoView {
    let live = use_live();
    let hydrated = crate::ready::island_ready();
    let root = NodeRef::<leptos::html::Section>::new();
    let in_document = crate::ready::in_document(root);
    // What the server rendered until hydrated, then the live values.
    let shown = live.once_hydrated(hydrated);
    let stats = RwSignal::new(None::<EventStats>);
    let connections = RwSignal::new(Vec::<ConnectionStatus>::new());
    let kind = RwSignal::new(EventType::Notification.as_str().to_string());
    let data = RwSignal::new(r#"{"level": "info", "message": "Hello from /sse-test"}"#.to_string());
    let form_error = RwSignal::new(None::<String>);

    // Refresh the figures when an event arrives (the log changes), at most every 500 ms.
    let busy = StoredValue::new(false);
    Effect::new(move |_| {
        live.log.track();
        live.state.track();
        if busy.get_value() || !in_document() {
            return;
        }
        busy.set_value(true);
        spawn_local(async move {
            if let Ok(s) = client::get::<EventStats>(paths::EVENTS_STATS).await {
                stats.set(Some(s));
            }
            if let Ok(c) = client::get::<Vec<ConnectionStatus>>(paths::EVENTS_STATUS).await {
                connections.set(c);
            }
            set_timeout(
                move || busy.set_value(false),
                std::time::Duration::from_millis(500),
            );
        });
    });

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The server checks the payload against the protocol and names any problem.
        let body = format!(
            r#"{{"type":"{}","data":{}}}"#,
            kind.get_untracked(),
            data.get_untracked()
        );
        spawn_local(async move {
            match client::send_text::<Broadcasted>("POST", paths::EVENTS_BROADCAST, Some(body))
                .await
            {
                Ok(b) => {
                    form_error.set(None);
                    live.toast(
                        NotificationLevel::Info,
                        format!("Broadcast as event {}", b.event_id),
                    );
                }
                Err(e) => form_error.set(Some(e)),
            }
        });
    };

    let log_rows = move || {
        let rows: Vec<crate::live::LogEntry> = shown().log.get().into_iter().collect();
        rows
    };
    view! {
        <section class="diagnostics" node_ref=root>
            <h1>"Event stream diagnostics"</h1>
            <div class="diag-grid">
                <div class="card">
                    <h2>"This tab"</h2>
                    <dl>
                        <dt>"State"</dt><dd class="conn-state" data-state=move || shown().state.get().as_str()>{move || shown().state.get().as_str()}</dd>
                        <dt>"Connection id"</dt><dd class="conn-id">{move || shown().connection_id.get().unwrap_or_else(|| "—".into())}</dd>
                        <dt>"Last event id"</dt><dd>{move || shown().last_event_id.get().unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                    <div class="row">
                        <button type="button" class="primary" disabled=move || shown().wanted.get() on:click=move |_| live.wanted.set(true)>"Connect"</button>
                        <button type="button" disabled=move || !shown().wanted.get() on:click=move |_| live.wanted.set(false)>"Disconnect"</button>
                    </div>
                </div>
                <form class="card form" on:submit=send>
                    <h2>"Broadcast"</h2>
                    <label for="kind">"Type"</label>
                    <select id="kind" on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                        {EventType::ALL.into_iter().filter(|t| !t.always_delivered()).map(|t| view! {
                            <option value=t.as_str()>{t.as_str()}</option>
                        }).collect_view()}
                    </select>
                    <label for="data">"Data (JSON)"</label>
                    <textarea id="data" rows="4" prop:value=move || data.get() on:input=move |ev| data.set(event_target_value(&ev))></textarea>
                    {move || form_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <button type="submit" class="primary">"Send"</button>
                </form>
                <div class="card">
                    <h2>"Hub"</h2>
                    <dl class="stats">
                        {move || stats.get().map(|s| stat_rows(&s).into_iter().map(|(k, v)| view! {
                            <dt>{k}</dt><dd>{v}</dd>
                        }).collect_view())}
                    </dl>
                    <h3>"Connections"</h3>
                    <ul class="connections">
                        {move || connections.get().into_iter().map(|c| view! {
                            <li><code>{c.connection_id}</code>" "
                                {c.remote_addr.unwrap_or_default()}" · queue "{c.queue_length}
                                " · last id "{or_dash(c.last_event_id)}</li>
                        }).collect_view()}
                    </ul>
                </div>
            </div>
            <h2>"Event log"</h2>
            <table class="files log">
                <thead><tr><th>"Time"</th><th>"Id"</th><th>"Type"</th><th>"Payload"</th></tr></thead>
                <tbody>
                    <For each=log_rows
                        key=|e| (e.received_ms.to_bits(), e.id.clone(), e.payload.len())
                        let:entry>
                        <tr class="log-row" data-type=entry.kind>
                            <td>{clock(entry.received_ms)}</td>
                            <td>{entry.id.clone().unwrap_or_default()}</td>
                            <td>{entry.kind}</td>
                            <td><code class="payload">{entry.payload.clone()}</code></td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </section>
    }
}

/// A number, or `—` when there is none.
fn or_dash(n: Option<u64>) -> String {
    n.map_or_else(|| "—".to_string(), |n| n.to_string())
}

/// The hub's figures as label/value rows.
fn stat_rows(s: &EventStats) -> Vec<(&'static str, String)> {
    vec![
        ("active_clients", s.active_clients.to_string()),
        (
            "total_events_broadcast",
            s.total_events_broadcast.to_string(),
        ),
        ("total_deliveries", s.total_deliveries.to_string()),
        ("total_writes", s.total_writes.to_string()),
        ("dropped_clients", s.dropped_clients.to_string()),
        ("total_connections", s.total_connections.to_string()),
        ("history_len", s.history_len.to_string()),
        ("history_capacity", s.history_capacity.to_string()),
        ("oldest_event_id", or_dash(s.oldest_event_id)),
        ("newest_event_id", or_dash(s.newest_event_id)),
    ]
}
