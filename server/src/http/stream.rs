//! One event stream, whoever serves it: reading the request (`?subscribe=`, `Last-Event-ID`),
//! and [`EventStream`], which yields the bytes to write — the opening chunk, then live events
//! batched per write, and heartbeats — until the client is evicted or the server stops.
//!
//! Two paths write these bytes: [`crate::listener`] straight to the socket for a connection
//! whose first request is the stream (no HTTP library buffers kept per connection), and the axum
//! handler in [`super::events`] for a stream requested on an already-used keep-alive connection.

use crate::http::error::ApiError;
use crate::hub::{EventHub, Published, SubscribeRequest, Subscription, TypeFilter};
use app::events::{Connected, Envelope, Event, EventType, Resync};
use bytes::{Bytes, BytesMut};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::Interval;
use tokio_util::sync::CancellationToken;

/// Reconnect delay suggested to browsers, in milliseconds.
const RETRY_MS: u64 = 3000;

/// Most bytes written to a socket in one chunk when events pile up.
const MAX_CHUNK: usize = 64 * 1024;

/// The response headers of a stream (besides the status line).
pub(crate) const HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache"),
    ("x-accel-buffering", "no"),
];

/// Query of `GET /api/events/stream`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StreamQuery {
    /// Comma-separated type names to receive.
    subscribe: Option<String>,
    /// Same as the `Last-Event-ID` header, for clients that cannot set headers.
    last_event_id: Option<String>,
}

impl StreamQuery {
    /// Parses a raw query string (without `?`).
    pub(crate) fn parse(raw: &str) -> Result<Self, ApiError> {
        serde_urlencoded::from_str(raw).map_err(|e| ApiError::BadRequest(format!("query: {e}")))
    }

    /// What to ask the hub for, given the request's `Last-Event-ID` and `User-Agent` headers.
    pub(crate) fn into_request(
        self,
        last_event_id_header: Option<&str>,
        user_agent: Option<&str>,
        remote_addr: Option<SocketAddr>,
    ) -> Result<SubscribeRequest, ApiError> {
        let filter = parse_filter(self.subscribe.as_deref())?;
        let last_event_id = last_event_id_header
            .map(str::to_string)
            .or(self.last_event_id)
            .map(|raw| raw.trim().parse::<u64>().ok());
        Ok(SubscribeRequest {
            last_event_id,
            filter,
            remote_addr,
            user_agent: user_agent.map(str::to_string),
        })
    }
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

/// One connection's event source: the opening chunk, then live events batched per write, and
/// heartbeats, until the hub drops the subscriber (eviction or shutdown).
pub(crate) struct EventStream {
    /// The hub registration and live queue.
    subscription: Subscription,
    /// For counters and the latency histogram.
    hub: Arc<EventHub>,
    /// Fires every heartbeat period.
    heartbeat: Interval,
    /// `retry:`, `connected`, `resync` and the backlog, until first taken.
    opening: Option<Bytes>,
}

impl EventStream {
    /// Registers with the hub and prepares the opening chunk.
    pub(crate) fn open(
        hub: &Arc<EventHub>,
        request: SubscribeRequest,
        heartbeat: Duration,
    ) -> Self {
        let mut subscription = hub.subscribe(request);
        let opening = opening_chunk(&mut subscription, hub);
        Self {
            heartbeat: tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat),
            subscription,
            hub: hub.clone(),
            opening: Some(opening),
        }
    }

    /// Cancelled when this stream must end; writers race their writes against it.
    pub(crate) fn closed(&self) -> CancellationToken {
        self.subscription.closed.clone()
    }

    /// The next bytes to write, or `None` when the stream is over. Cancel-safe.
    pub(crate) async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(opening) = self.opening.take() {
            return Some(opening);
        }
        // The hub drops the queue's sender on eviction and shutdown, which ends `recv`.
        tokio::select! {
            biased;
            first = self.subscription.receiver.recv() => {
                let first = first?;
                Some(self.batch(first))
            }
            _ = self.heartbeat.tick() => Some(Bytes::from_static(b": heartbeat\n\n")),
        }
    }

    /// `first` and whatever else is already queued, up to [`MAX_CHUNK`], as one chunk.
    fn batch(&mut self, first: Arc<Published>) -> Bytes {
        let now = Instant::now();
        let stats = self.hub.stats();
        stats.latency.observe(now - first.published_at);
        let mut last_id = first.id;
        let mut count = 1;
        let chunk = match self.subscription.receiver.try_recv() {
            // The common case when not under load: the shared frame itself, no copy.
            Err(_) => first.frame.clone(),
            Ok(second) => {
                let mut buf = BytesMut::with_capacity((first.frame.len() * 8).min(MAX_CHUNK));
                buf.extend_from_slice(&first.frame);
                let mut next = Some(second);
                while let Some(p) = next.take() {
                    stats.latency.observe(now - p.published_at);
                    buf.extend_from_slice(&p.frame);
                    last_id = p.id;
                    count += 1;
                    if buf.len() < MAX_CHUNK {
                        next = self.subscription.receiver.try_recv().ok();
                    }
                }
                buf.freeze()
            }
        };
        stats.record_writes(count);
        self.subscription
            .info
            .last_event_id
            .store(last_id, Ordering::Relaxed);
        chunk
    }
}

/// `retry:`, `connected`, `resync` if needed, then the backlog. `connected` and `resync` carry
/// no `id:` so the browser's last event id keeps pointing at a real, replayable event.
/// The backlog is taken out of the subscription, so an idle stream holds no copy of it.
fn opening_chunk(sub: &mut Subscription, hub: &EventHub) -> Bytes {
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
    let backlog = std::mem::take(&mut sub.backlog);
    for p in &backlog {
        buf.extend_from_slice(&p.frame);
    }
    if let Some(last) = backlog.last() {
        sub.info.last_event_id.store(last.id, Ordering::Relaxed);
    }
    hub.stats().record_writes(backlog.len() as u64);
    buf.freeze()
}
