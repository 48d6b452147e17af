//! `/api/events/*`: the SSE stream, its statistics, the connection list and manual broadcast.

use crate::http::error::ApiError;
use crate::hub::{ConnectionStatus, Published, SubscribeRequest, Subscription, TypeFilter};
use crate::AppState;
use app::events::{Connected, Envelope, Event, EventType, Resync};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::BytesMut;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::Interval;
use tokio_util::sync::CancellationToken;

/// Largest body `POST /api/events/broadcast` accepts.
pub(crate) const BROADCAST_LIMIT: usize = 64 * 1024;

/// Reconnect delay suggested to browsers, in milliseconds.
const RETRY_MS: u64 = 3000;

/// Most bytes written to a socket in one chunk when events pile up.
const MAX_CHUNK: usize = 64 * 1024;

/// Query of `GET /api/events/stream`.
#[derive(Debug, Deserialize)]
pub(crate) struct StreamQuery {
    /// Comma-separated type names to receive.
    subscribe: Option<String>,
    /// Same as the `Last-Event-ID` header, for clients that cannot set headers.
    last_event_id: Option<String>,
}

/// Parses `?subscribe=a,b`; unknown names are a 400.
fn parse_filter(subscribe: Option<&str>) -> Result<TypeFilter, ApiError> {
    let Some(list) = subscribe.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(TypeFilter::ALL);
    };
    let types = list
        .split(',')
        .map(|name| name.trim().parse::<EventType>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::BadRequest(format!("subscribe: {e}")))?;
    Ok(TypeFilter::only(&types))
}

/// `GET /api/events/stream`: every event as `id:` + `data:`, replay after `Last-Event-ID`.
pub(crate) async fn stream(
    State(state): State<AppState>,
    query: Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let filter = parse_filter(query.subscribe.as_deref())?;
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(query.last_event_id)
        .map(|raw| raw.trim().parse::<u64>().ok());
    let remote_addr = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let subscription = state.hub.subscribe(SubscribeRequest {
        last_event_id,
        filter,
        remote_addr,
        user_agent,
    });
    let heartbeat = Duration::from_secs(state.config.heartbeat_secs);
    let body = EventStream::new(subscription, state.clone(), heartbeat).into_body();
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        body,
    )
        .into_response())
}

/// One connection's writer: the opening chunk, then live events batched per write, and
/// heartbeats, until the client leaves or the server shuts down.
struct EventStream {
    subscription: Subscription,
    state: AppState,
    heartbeat: Interval,
    shutdown: CancellationToken,
    opening: Option<Bytes>,
}

impl EventStream {
    fn new(subscription: Subscription, state: AppState, heartbeat: Duration) -> Self {
        let opening = opening_chunk(&subscription, &state);
        Self {
            heartbeat: tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat),
            shutdown: state.hub.shutdown_token(),
            subscription,
            state,
            opening: Some(opening),
        }
    }

    fn into_body(self) -> Body {
        Body::from_stream(futures::stream::unfold(self, |mut s| async move {
            let chunk = s.next_chunk().await?;
            Some((Ok::<_, std::convert::Infallible>(chunk), s))
        }))
    }

    async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(opening) = self.opening.take() {
            return Some(opening);
        }
        tokio::select! {
            biased;
            _ = self.shutdown.cancelled() => None,
            first = self.subscription.receiver.recv() => {
                let first = first?;
                Some(self.batch(first))
            }
            _ = self.heartbeat.tick() => Some(Bytes::from_static(b": heartbeat\n\n")),
        }
    }

    /// Writes `first` and whatever else is already queued, up to [`MAX_CHUNK`], as one chunk.
    fn batch(&mut self, first: Arc<Published>) -> Bytes {
        let now = Instant::now();
        let stats = self.state.hub.stats();
        let mut buf = BytesMut::with_capacity(first.frame.len().max(1024));
        let mut last_id = first.id;
        let mut count = 1;
        stats.latency.observe(now - first.published_at);
        buf.extend_from_slice(&first.frame);
        while buf.len() < MAX_CHUNK {
            let Ok(next) = self.subscription.receiver.try_recv() else {
                break;
            };
            stats.latency.observe(now - next.published_at);
            buf.extend_from_slice(&next.frame);
            last_id = next.id;
            count += 1;
        }
        stats.record_writes(count);
        self.subscription
            .info
            .last_event_id
            .store(last_id, Ordering::Relaxed);
        buf.freeze()
    }
}

/// `retry:`, `connected`, `resync` if needed, then the backlog. `connected` and `resync` carry
/// no `id:` so the browser's last event id keeps pointing at a real, replayable event.
fn opening_chunk(sub: &Subscription, state: &AppState) -> Bytes {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(format!("retry: {RETRY_MS}\n\n").as_bytes());
    let mut unnumbered = |event: Event| {
        let json = Envelope::new(event, crate::hub::unix_now()).to_json();
        buf.extend_from_slice(b"data: ");
        buf.extend_from_slice(json.as_bytes());
        buf.extend_from_slice(b"\n\n");
    };
    unnumbered(Event::Connected(Connected {
        connection_id: sub.info.id.clone(),
        subscriptions: sub.info.filter.names(),
    }));
    if let Some(reason) = &sub.resync {
        unnumbered(Event::Resync(Resync {
            reason: reason.clone(),
        }));
    }
    for p in &sub.backlog {
        buf.extend_from_slice(&p.frame);
    }
    if let Some(last) = sub.backlog.last() {
        sub.info.last_event_id.store(last.id, Ordering::Relaxed);
    }
    state.hub.stats().record_writes(sub.backlog.len() as u64);
    buf.freeze()
}

/// `GET /api/events/stats`.
#[derive(Debug, Serialize, Deserialize)]
pub struct EventStats {
    /// Streams open now.
    pub active_clients: usize,
    /// Events published since start.
    pub total_events_broadcast: u64,
    /// Events queued to clients since start.
    pub total_deliveries: u64,
    /// Events written to sockets since start (replays included).
    pub total_writes: u64,
    /// Clients dropped for a full queue.
    pub dropped_clients: u64,
    /// Streams opened since start.
    pub total_connections: u64,
    /// Events published per type name.
    pub events_by_type: BTreeMap<String, u64>,
    /// Events held for replay now.
    pub history_len: usize,
    /// Most events held for replay.
    pub history_capacity: usize,
    /// Oldest id still replayable.
    pub oldest_event_id: Option<u64>,
    /// Newest id published.
    pub newest_event_id: Option<u64>,
}

pub(crate) async fn stats(State(state): State<AppState>) -> Json<EventStats> {
    let hub = &state.hub;
    let s = hub.stats();
    let bounds = hub.history_bounds();
    Json(EventStats {
        active_clients: hub.active_clients(),
        total_events_broadcast: s.total_events(),
        total_deliveries: s.deliveries(),
        total_writes: s.writes(),
        dropped_clients: s.dropped_clients(),
        total_connections: s.connections_total(),
        events_by_type: s
            .by_type()
            .into_iter()
            .map(|(t, n)| (t.as_str().to_string(), n))
            .collect(),
        history_len: hub.history_len(),
        history_capacity: hub.config().history_size,
        oldest_event_id: bounds.map(|b| b.0),
        newest_event_id: bounds.map(|b| b.1),
    })
}

/// `GET /api/events/status`: one object per open stream.
pub(crate) async fn status(State(state): State<AppState>) -> Json<Vec<ConnectionStatus>> {
    Json(state.hub.connections())
}

/// Answer of `POST /api/events/broadcast`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Broadcasted {
    /// Id the hub gave the event.
    pub event_id: u64,
}

/// `POST /api/events/broadcast`: publish an envelope-shaped body after checking it against the
/// typed protocol. The one entry point for manual events, so auth can guard it in one place.
pub(crate) async fn broadcast(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Broadcasted>), ApiError> {
    let too_large =
        || ApiError::PayloadTooLarge(format!("body is larger than {BROADCAST_LIMIT} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BROADCAST_LIMIT) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, BROADCAST_LIMIT)
        .await
        .map_err(|_| too_large())?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::BadRequest("body is not UTF-8".into()))?;
    let mut envelope = Envelope::from_json(text).map_err(ApiError::BadRequest)?;
    if matches!(
        envelope.event.event_type(),
        EventType::Connected | EventType::Resync
    ) {
        return Err(ApiError::BadRequest(format!(
            "`{}` is sent by the server to one connection and cannot be broadcast",
            envelope.event.event_type()
        )));
    }
    if envelope.timestamp <= 0.0 || !envelope.timestamp.is_finite() {
        envelope.timestamp = crate::hub::unix_now();
    }
    let event_id = state.hub.publish_envelope(envelope);
    Ok((StatusCode::ACCEPTED, Json(Broadcasted { event_id })))
}
