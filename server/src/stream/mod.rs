//! One event stream, whoever serves it: reading the request (`?subscribe=`, `Last-Event-ID`),
//! and [`EventStream`], which yields the bytes to write — the opening chunk, then live events
//! batched per write, and heartbeats — until the client is evicted or the server stops.
//!
//! Why a module of its own: two paths write these bytes and must write the same ones.
//! [`direct`] writes them straight to the socket for a connection whose first request is the
//! stream (no HTTP library buffers kept per connection: about 3 KiB per idle stream instead of
//! hyper's 16 KiB); the axum handler in `http::events` streams them as a response body for a
//! stream requested on an already-used keep-alive connection.

pub(crate) mod direct;

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

/// A stream request that cannot be served as asked (the HTTP layer answers it with a 400).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct QueryError(pub(crate) String);

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
    pub(crate) fn parse(raw: &str) -> Result<Self, QueryError> {
        serde_urlencoded::from_str(raw).map_err(|e| QueryError(format!("query: {e}")))
    }

    /// What to ask the hub for, given the request's `Last-Event-ID` and `User-Agent` headers.
    pub(crate) fn into_request(
        self,
        last_event_id_header: Option<&str>,
        user_agent: Option<&str>,
        remote_addr: Option<SocketAddr>,
    ) -> Result<SubscribeRequest, QueryError> {
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
            // Set by whoever admitted the request.
            owner: Default::default(),
        })
    }
}

/// Parses `?subscribe=a,b`; unknown names are a 400.
fn parse_filter(subscribe: Option<&str>) -> Result<TypeFilter, QueryError> {
    let Some(list) = subscribe.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(TypeFilter::ALL);
    };
    let types = list
        .split(',')
        .map(|name| name.trim().parse::<EventType>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| QueryError(format!("subscribe: {e}")))?;
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

/// `retry:`, `connected`, `resync` if needed, then the backlog. `connected` carries the id the
/// client resumes from ([`Subscription::resume_id`]): a browser cut off right after it still
/// sends a `Last-Event-ID` and loses nothing. `resync` carries none, so the last id keeps
/// pointing at a real, replayable position.
/// The backlog is taken out of the subscription, so an idle stream holds no copy of it.
fn opening_chunk(sub: &mut Subscription, hub: &EventHub) -> Bytes {
    let mut buf = format!("retry: {RETRY_MS}\n\n").into_bytes();
    let mut frame = |event: Event, id: Option<u64>| {
        let json = Envelope::new(event, crate::hub::unix_now()).to_json();
        crate::hub::write_frame(&mut buf, id, &json);
    };
    frame(
        Event::Connected(Connected {
            connection_id: sub.info.id.clone(),
            subscriptions: sub.info.filter.names(),
        }),
        Some(sub.resume_id),
    );
    if let Some(reason) = &sub.resync {
        frame(
            Event::Resync(Resync {
                reason: reason.clone(),
            }),
            None,
        );
    }
    let backlog = std::mem::take(&mut sub.backlog);
    for p in &backlog {
        buf.extend_from_slice(&p.frame);
    }
    if let Some(last) = backlog.last() {
        sub.info.last_event_id.store(last.id, Ordering::Relaxed);
    }
    hub.stats().record_writes(backlog.len() as u64);
    Bytes::from(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fragments of real and hostile stream queries.
    fn query_part() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("subscribe=".to_string()),
            Just("last_event_id=".to_string()),
            Just("&".to_string()),
            Just(",".to_string()),
            Just("%2C".to_string()),
            Just("%ZZ".to_string()),
            Just("job_updated".to_string()),
            Just("notification".to_string()),
            Just("18446744073709551616".to_string()),
            Just("-1".to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            "\\PC{0,12}",
        ]
    }

    proptest! {
        /// Any query and `Last-Event-ID` header is an answer (a request or a 400), never a panic.
        #[test]
        fn stream_requests_never_panic(
            raw in prop::collection::vec(query_part(), 0..12).prop_map(|p| p.concat()),
            header in proptest::option::of("\\PC{0,24}"),
        ) {
            if let Ok(query) = StreamQuery::parse(&raw) {
                let _ = query.into_request(header.as_deref(), Some("ua"), None);
            }
        }

        /// A numeric `Last-Event-ID` (spaces around allowed) is read exactly; anything else is
        /// "unreadable" (`Some(None)`, which gets a `resync`).
        #[test]
        fn last_event_ids_round_trip(id in any::<u64>(), pad in " {0,2}") {
            let header = format!("{pad}{id}{pad}");
            let request = StreamQuery::default()
                .into_request(Some(&header), None, None)
                .unwrap();
            prop_assert_eq!(request.last_event_id, Some(Some(id)));
            let garbled = format!("{id}x");
            let request = StreamQuery::default()
                .into_request(Some(&garbled), None, None)
                .unwrap();
            prop_assert_eq!(request.last_event_id, Some(None));
        }

        /// Every subset of known type names subscribes to exactly those types.
        #[test]
        fn subscribe_lists_round_trip(mask in 0u32..(1 << EventType::ALL.len())) {
            let types: Vec<EventType> = EventType::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, t)| t)
                .collect();
            let list: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            let filter = parse_filter(Some(&list.join(","))).unwrap();
            for t in EventType::ALL {
                let expected = types.is_empty() || types.contains(&t) || t.always_delivered();
                prop_assert_eq!(filter.allows(t), expected, "{:?} in {:?}", t, list);
            }
        }
    }
}
