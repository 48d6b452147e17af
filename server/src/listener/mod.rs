//! The one door: every connection is accepted here, its first request head read and parsed,
//! and every request passed to [`Gate::admit`] before anything serves it. A connection that
//! opens with `GET /api/events/stream` is then handed to the direct stream writer
//! ([`crate::stream::direct`]); every other connection, bytes already read included, goes to
//! hyper and the axum router, whose service admits each of its requests the same way.
//!
//! The listener is given what it dispatches to ([`Door`]); it does not know the state or the
//! module that builds it.

mod limits;
mod rewind;

use crate::auth::{Gate, Refusal, MAX_HEAD, MAX_HEADERS};
use crate::hub::{EventHub, SubscribeRequest};
use crate::stream::{self, StreamQuery};
use crate::trace::{log_response, request_span, RequestId};
use app::api::paths;
use axum::extract::ConnectInfo;
use axum::http::{request::Parts, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use futures::future::Either;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use limits::{ConnectionLimits, OverLimit};
use rewind::Rewind;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::Instrument;

/// Everything the listener dispatches to, and its connection limits.
pub(crate) struct Door {
    /// Says yes or no to every request.
    pub(crate) gate: Arc<Gate>,
    /// Serves every request that is not a direct event stream.
    pub(crate) router: Router,
    /// Where direct event streams subscribe.
    pub(crate) hub: Arc<EventHub>,
    /// Heartbeat period of event streams.
    pub(crate) heartbeat: Duration,
    /// How long a client may take to send a complete request head.
    pub(crate) head_timeout: Duration,
    /// Open connections in all (503 beyond).
    pub(crate) max_connections: usize,
    /// Open connections from one IP address (429 beyond).
    pub(crate) max_connections_per_ip: usize,
}

/// Accepts connections until `stop` is cancelled, then lets hyper connections finish for up to
/// `grace`. Event streams end through the hub's shutdown token, not here.
pub(crate) async fn serve(
    listener: TcpListener,
    door: Door,
    stop: CancellationToken,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    let limits = ConnectionLimits::new(door.max_connections, door.max_connections_per_ip);
    let door = Arc::new(door);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let slot = match limits.acquire(peer.ip()) {
            Ok(slot) => slot,
            Err(over) => {
                tokio::spawn(refuse(tcp, peer, over));
                continue;
            }
        };
        let door = door.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let mut tcp = tcp;
            let head_timeout = door.head_timeout;
            let first = match tokio::time::timeout(head_timeout, read_head(&mut tcp, peer)).await {
                Ok(Ok(first)) => first,
                Ok(Err(_)) => return,
                Err(_) => {
                    tracing::debug!("connection from {peer}: no request head in {head_timeout:?}");
                    let refusal = Refusal::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "request head not received in time",
                    );
                    let _ = write_refusal(&mut tcp, &refusal).await;
                    return;
                }
            };
            match first {
                First::EventStream(head, request) => {
                    let started = Instant::now();
                    let (span, admitted) = admit_stream(&door, peer, head, request, started);
                    match admitted {
                        Ok(request) => {
                            let stream =
                                stream::direct::serve(tcp, &door.hub, door.heartbeat, request);
                            stream.instrument(span.clone()).await;
                            span.in_scope(|| {
                                tracing::debug!(
                                    secs = started.elapsed().as_secs_f64(),
                                    "stream ended"
                                )
                            });
                        }
                        Err(refusal) => {
                            let _ = write_refusal(&mut tcp, &refusal).await;
                        }
                    }
                }
                First::Other(read) => {
                    let io = TokioIo::new(Rewind::new(read, tcp));
                    let service = {
                        let door = door.clone();
                        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                            routed(&door, peer, req)
                        })
                    };
                    // The same head timeout for every later request on a keep-alive connection
                    // (hyper also starts it while the connection is idle between requests).
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(head_timeout)
                        .serve_connection(io, service);
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {grace:?}; exiting anyway");
    }
}

/// One request hyper read: admitted, then given to the router with its identity, peer address
/// and request id as extensions; or answered with the refusal.
fn routed(
    door: &Door,
    peer: SocketAddr,
    request: hyper::Request<Incoming>,
) -> impl std::future::Future<Output = Result<axum::response::Response, std::convert::Infallible>> {
    let (mut head, body) = request.into_parts();
    let id = RequestId::next();
    match door.gate.admit(&head, peer) {
        Ok(identity) => {
            head.extensions.insert(identity);
            head.extensions.insert(ConnectInfo(peer));
            head.extensions.insert(id);
            let request = hyper::Request::from_parts(head, body);
            Either::Left(door.router.clone().oneshot(request))
        }
        Err(refusal) => {
            request_span(id, head.method.as_str(), head.uri.path())
                .in_scope(|| log_response(refusal.status.as_u16(), Duration::ZERO));
            Either::Right(std::future::ready(Ok(refusal.into_response())))
        }
    }
}

/// Admits a connection that opened with a valid stream request: the request's span, and what
/// to subscribe with (its owner and client address filled in) or the refusal. Synchronous, so
/// nothing of the head or the identity stays in the stream's future for its whole life (an idle
/// stream's memory is the budget: ≤ 4 KiB).
fn admit_stream(
    door: &Door,
    peer: SocketAddr,
    head: Box<Parts>,
    mut request: SubscribeRequest,
    started: Instant,
) -> (tracing::Span, Result<SubscribeRequest, Refusal>) {
    let span = request_span(RequestId::next(), head.method.as_str(), head.uri.path());
    let _entered = span.enter();
    let admitted = door.gate.admit(&head, peer).map(|identity| {
        request.owner = identity.owner();
        request.remote_addr = Some(door.gate.client(&head, peer).addr);
        request
    });
    let status = admitted
        .as_ref()
        .map_or_else(|r| r.status.as_u16(), |_| 200);
    log_response(status, started.elapsed());
    drop(_entered);
    (span, admitted)
}

/// Answers a connection over a cap with 503 (server full) or 429 (too many from this address)
/// and closes it.
async fn refuse(mut tcp: TcpStream, peer: SocketAddr, over: OverLimit) {
    tracing::warn!("connection from {peer} refused: {over:?} connection limit reached");
    let refusal = match over {
        OverLimit::Total => Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server has too many open connections; try again soon",
        ),
        OverLimit::PerIp => Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many open connections from your address",
        ),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        write_refusal(&mut tcp, &refusal.retry_after(1)),
    )
    .await;
}

/// Writes a refusal on a connection that is then closed.
async fn write_refusal(tcp: &mut TcpStream, refusal: &Refusal) -> io::Result<()> {
    tcp.write_all(&refusal.to_http()).await?;
    tcp.shutdown().await
}

/// What a connection's first request turned out to be.
enum First {
    /// `GET /api/events/stream` with a valid query: its head and what to ask the hub for.
    EventStream(Box<Parts>, SubscribeRequest),
    /// Anything else, with every byte read so far.
    Other(Vec<u8>),
}

/// Reads until the request head is complete (or too large or malformed, which hyper then
/// answers). The caller bounds how long this may take.
async fn read_head(tcp: &mut TcpStream, peer: SocketAddr) -> io::Result<First> {
    let mut read = Vec::with_capacity(1024);
    loop {
        if tcp.read_buf(&mut read).await? == 0 {
            return Ok(First::Other(read));
        }
        // One slot more than admitted, so that `admit` sees (and refuses) a head with too many.
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS + 1];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&read) {
            Ok(httparse::Status::Complete(_)) => {
                return Ok(classify(&req, peer).unwrap_or(First::Other(read)))
            }
            Ok(httparse::Status::Partial) if read.len() < MAX_HEAD => {}
            _ => return Ok(First::Other(read)),
        }
    }
}

fn is_stream_request(req: &httparse::Request) -> bool {
    let path = req.path.unwrap_or("");
    req.method == Some("GET")
        && path
            .strip_prefix(paths::EVENTS_STREAM)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
}

/// An event stream request whose query is valid; anything doubtful goes to hyper, which gives
/// the usual answer (including the JSON 400 for a bad `subscribe`).
fn classify(req: &httparse::Request, peer: SocketAddr) -> Option<First> {
    if !is_stream_request(req) || req.version != Some(1) {
        return None;
    }
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    };
    if header("upgrade").is_some() || header("expect").is_some() {
        return None;
    }
    let query = req.path?.split_once('?').map_or("", |(_, q)| q);
    let request = StreamQuery::parse(query)
        .ok()?
        .into_request(header("last-event-id"), header("user-agent"), Some(peer))
        .ok()?;
    let mut builder = axum::http::Request::get(req.path?);
    for h in req.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    let head = builder.body(()).ok()?.into_parts().0;
    Some(First::EventStream(Box::new(head), request))
}
