//! The direct stream writer: response head, then [`EventStream`] chunks written straight to the
//! socket of a connection whose first request is the stream.
//!
//! Why: hyper keeps an 8 KiB read and an 8 KiB write buffer per HTTP/1 connection for its whole
//! life. An event stream never reads again and writes ready-made frames, so serving it here
//! costs a socket, a queue and a timer (a few KiB) instead, and lets an evicted client's socket
//! be closed at once, even while a write to it is stuck.

use super::{EventStream, HEADERS};
use crate::hub::{EventHub, SubscribeRequest};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_util::sync::WaitForCancellationFuture;

/// Writes the response head and then every chunk of the stream, until the stream ends, the
/// peer goes away or a write fails. The socket is closed on return.
pub(crate) async fn serve(
    tcp: TcpStream,
    hub: &Arc<EventHub>,
    heartbeat: Duration,
    request: SubscribeRequest,
) {
    let mut events = EventStream::open(hub, request, heartbeat);
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
