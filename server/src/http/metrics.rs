//! `GET /metrics`: Prometheus text format.

use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::fmt::Write;

/// The hub's counters and latency histogram.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let hub = &state.hub;
    let stats = hub.stats();
    let mut out = String::with_capacity(2048);
    let _ = writeln!(
        out,
        "# HELP longbox_sse_clients Connected event-stream clients."
    );
    let _ = writeln!(out, "# TYPE longbox_sse_clients gauge");
    let _ = writeln!(out, "longbox_sse_clients {}", hub.active_clients());
    let _ = writeln!(
        out,
        "# HELP longbox_sse_connections_total Event streams opened."
    );
    let _ = writeln!(out, "# TYPE longbox_sse_connections_total counter");
    let _ = writeln!(
        out,
        "longbox_sse_connections_total {}",
        stats.connections_total()
    );
    let _ = writeln!(
        out,
        "# HELP longbox_events_published_total Events published, by type."
    );
    let _ = writeln!(out, "# TYPE longbox_events_published_total counter");
    for (t, n) in stats.by_type() {
        let _ = writeln!(out, "longbox_events_published_total{{type=\"{t}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP longbox_event_deliveries_total Events queued to clients."
    );
    let _ = writeln!(out, "# TYPE longbox_event_deliveries_total counter");
    let _ = writeln!(out, "longbox_event_deliveries_total {}", stats.deliveries());
    let _ = writeln!(
        out,
        "# HELP longbox_event_writes_total Events written to client sockets."
    );
    let _ = writeln!(out, "# TYPE longbox_event_writes_total counter");
    let _ = writeln!(out, "longbox_event_writes_total {}", stats.writes());
    let _ = writeln!(
        out,
        "# HELP longbox_sse_dropped_clients_total Clients dropped for a full queue."
    );
    let _ = writeln!(out, "# TYPE longbox_sse_dropped_clients_total counter");
    let _ = writeln!(
        out,
        "longbox_sse_dropped_clients_total {}",
        stats.dropped_clients()
    );
    let _ = writeln!(
        out,
        "# HELP longbox_event_latency_seconds Publish to socket-write latency."
    );
    let _ = writeln!(out, "# TYPE longbox_event_latency_seconds histogram");
    for (le, n) in stats.latency.cumulative() {
        let le = if le.is_infinite() {
            "+Inf".to_string()
        } else {
            le.to_string()
        };
        let _ = writeln!(
            out,
            "longbox_event_latency_seconds_bucket{{le=\"{le}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "longbox_event_latency_seconds_sum {}",
        stats.latency.sum_secs()
    );
    let _ = writeln!(
        out,
        "longbox_event_latency_seconds_count {}",
        stats.latency.count()
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
