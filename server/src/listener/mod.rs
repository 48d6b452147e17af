//! The accept loop. Each connection's first request head is read here: a `GET
//! /api/events/stream` is answered directly — response head, then [`EventStream`] chunks
//! written straight to the socket — and every other connection is handed, bytes already read
//! included, to hyper and the axum router.
//!
//! Why: hyper keeps an 8 KiB read and an 8 KiB write buffer per HTTP/1 connection for its whole
//! life. An event stream never reads again and writes ready-made frames, so serving it here
//! costs a socket, a queue and a timer (a few KiB) instead, and lets an evicted client's socket
//! be closed at once, even while a write to it is stuck.

mod limits;
mod rewind;

use crate::http::stream::{EventStream, StreamQuery, HEADERS};
use crate::hub::SubscribeRequest;
use crate::AppState;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use limits::{ConnectionLimits, OverLimit};
use rewind::Rewind;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};
use tower::ServiceExt;

/// Largest request head read before giving the connection to hyper (which then answers it).
const MAX_HEAD: usize = 16 * 1024;

/// Headers parsed from a request head.
const MAX_HEADERS: usize = 48;

/// Accepts connections until `stop` is cancelled, then lets hyper connections finish for up to
/// `grace`. Event streams end through the hub's shutdown token, not here.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    state: AppState,
    stop: CancellationToken,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    let limits = ConnectionLimits::new(
        state.config.max_connections,
        state.config.max_connections_per_ip,
    );
    let head_timeout = state.config.head_timeout;
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
        let router = router.clone();
        let state = state.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let mut tcp = tcp;
            let first = match tokio::time::timeout(head_timeout, read_head(&mut tcp, peer)).await {
                Ok(Ok(first)) => first,
                Ok(Err(_)) => return,
                Err(_) => {
                    tracing::debug!("connection from {peer}: no request head in {head_timeout:?}");
                    let _ = write_error(&mut tcp, 408, "request head not received in time").await;
                    return;
                }
            };
            match first {
                First::EventStream(request) => serve_stream(tcp, &state, request).await,
                First::Other(read) => {
                    let io = TokioIo::new(Rewind::new(read, tcp));
                    let service =
                        hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                            req.extensions_mut().insert(ConnectInfo(peer));
                            router.clone().oneshot(req)
                        });
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

/// Answers a connection over a cap with 503 (server full) or 429 (too many from this address)
/// and closes it.
async fn refuse(mut tcp: TcpStream, peer: SocketAddr, over: OverLimit) {
    tracing::warn!("connection from {peer} refused: {over:?} connection limit reached");
    let (status, message) = match over {
        OverLimit::Total => (
            503,
            "the server has too many open connections; try again soon",
        ),
        OverLimit::PerIp => (429, "too many open connections from your address"),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        write_error(&mut tcp, status, message),
    )
    .await;
}

/// Writes a complete JSON error response (`{"error": ...}`) on a connection that is then
/// closed.
async fn write_error(tcp: &mut TcpStream, status: u16, message: &str) -> io::Result<()> {
    let reason = match status {
        408 => "Request Timeout",
        429 => "Too Many Requests",
        _ => "Service Unavailable",
    };
    let body = serde_json::to_string(&app::api::ApiError {
        error: message.to_string(),
    })
    .unwrap_or_default();
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(response.as_bytes()).await?;
    tcp.shutdown().await
}

/// What a connection's first request turned out to be.
enum First {
    /// `GET /api/events/stream` with a valid query: what to ask the hub for.
    EventStream(SubscribeRequest),
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
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
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
        && (path == "/api/events/stream" || path.starts_with("/api/events/stream?"))
}

/// An event stream request whose query is valid; anything doubtful goes to hyper, which gives
/// the usual answer (including the JSON 400 for a bad `subscribe`).
fn classify(req: &httparse::Request, peer: SocketAddr) -> Option<First> {
    if !is_stream_request(req) || req.version != Some(1) {
        return None;
    }
    let query = req.path?.split_once('?').map_or("", |(_, q)| q);
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    };
    if header("upgrade").is_some() || header("expect").is_some() {
        return None;
    }
    let request = StreamQuery::parse(query)
        .ok()?
        .into_request(header("last-event-id"), header("user-agent"), Some(peer))
        .ok()?;
    Some(First::EventStream(request))
}

/// Writes the response head and then every chunk of the stream, until the stream ends, the
/// peer goes away or a write fails. The socket is closed on return.
async fn serve_stream(tcp: TcpStream, state: &AppState, request: SubscribeRequest) {
    let heartbeat = Duration::from_secs(state.config.heartbeat_secs);
    let mut events = EventStream::open(&state.hub, request, heartbeat);
    let mut head = String::from("HTTP/1.1 200 OK\r\n");
    for (name, value) in HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    // No length and no chunking: the body ends when the connection does.
    head.push_str("connection: close\r\n\r\n");
    let closed = events.closed();
    // Both futures live as long as the stream, so their wakers are registered once, not once
    // per event.
    let mut closed = std::pin::pin!(closed.cancelled());
    let mut gone = std::pin::pin!(peer_gone(&tcp));
    if write_all(&tcp, head.as_bytes(), closed.as_mut())
        .await
        .is_err()
    {
        return;
    }
    drop(head);
    loop {
        let chunk = tokio::select! {
            biased;
            () = closed.as_mut() => break,
            () = gone.as_mut() => break,
            chunk = events.next_chunk() => match chunk {
                Some(chunk) => chunk,
                None => break,
            },
        };
        if write_all(&tcp, &chunk, closed.as_mut()).await.is_err() {
            break;
        }
    }
}

/// Writes all of `bytes`, giving up when `closed` fires (an evicted client that stopped
/// reading) or the socket fails. Tries the write first: a socket with room never waits.
async fn write_all(
    tcp: &TcpStream,
    mut bytes: &[u8],
    mut closed: Pin<&mut WaitForCancellationFuture<'_>>,
) -> io::Result<()> {
    while !bytes.is_empty() {
        match tcp.try_write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                tokio::select! {
                    biased;
                    () = closed.as_mut() => return Err(io::ErrorKind::BrokenPipe.into()),
                    ready = tcp.writable() => ready?,
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Resolves when the peer closes its side (or the socket fails). Whatever a client sends after
/// its request is read and ignored.
async fn peer_gone(tcp: &TcpStream) {
    let mut scratch = [0u8; 64];
    loop {
        if tcp.readable().await.is_err() {
            return;
        }
        match tcp.try_read(&mut scratch) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}
