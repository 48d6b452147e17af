//! `/api/events/*`: the SSE stream, its statistics, the connection list and manual broadcast.

use crate::auth::Identity;
use crate::http::error::{blocking, ApiError};
use crate::state::AppState;
use crate::stream::{EventStream, StreamQuery, HEADERS};
use app::api::{Broadcasted, ConnectionStatus, EventStats};
use app::events::{Envelope, Event, EventType};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use std::net::SocketAddr;
use std::time::Duration;

/// Largest body `POST /api/events/broadcast` accepts.
pub(crate) const BROADCAST_LIMIT: usize = 64 * 1024;

/// `GET /api/events/stream` on a connection hyper already serves (a stream requested after
/// other requests on a keep-alive connection). A connection that opens with it is served by
/// the listener's direct writer instead; both write what [`EventStream`] yields.
pub(crate) async fn stream(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(identity): Extension<Identity>,
    head: Parts,
) -> Result<Response, ApiError> {
    let query = StreamQuery::parse(head.uri.query().unwrap_or(""))?;
    let header = |name: &str| head.headers.get(name).and_then(|v| v.to_str().ok());
    let mut subscribe = query.into_request(
        header("last-event-id"),
        header(header::USER_AGENT.as_str()),
        Some(state.gate.client(&head, peer).addr),
    )?;
    subscribe.owner = identity.owner();
    let heartbeat = Duration::from_secs(state.config.heartbeat_secs);
    let events = EventStream::open(&state.hub, subscribe, heartbeat);
    let body = Body::from_stream(futures::stream::unfold(events, |mut s| async move {
        let chunk = s.next_chunk().await?;
        Some((Ok::<_, std::convert::Infallible>(chunk), s))
    }));
    let mut response = body.into_response();
    for (name, value) in HEADERS {
        response.headers_mut().insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    }
    Ok(response)
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
        .map_err(|e| {
            if crate::http::error::timed_out(&e) {
                ApiError::RequestTimeout("the request body did not arrive in time".into())
            } else {
                too_large()
            }
        })?;
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
    // The hub keeps the last state of every job it hears of: only real jobs may be named.
    if let Event::JobUpdated(job) = &envelope.event {
        let (store, id) = (state.library.store().clone(), job.job_id.clone());
        let known = blocking(move || crate::jobs::store::get(&store, &id, false)).await?;
        if known.is_none() {
            return Err(ApiError::Unprocessable(format!(
                "no job {:?}: job_updated can only be broadcast for an existing job",
                job.job_id
            )));
        }
    }
    if envelope.timestamp <= 0.0 || !envelope.timestamp.is_finite() {
        envelope.timestamp = crate::hub::unix_now();
    }
    let event_id = state.hub.publish_envelope(envelope);
    Ok((StatusCode::ACCEPTED, Json(Broadcasted { event_id })))
}
