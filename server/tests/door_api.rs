//! The one door: every request, whichever path serves it, is admitted by the same function,
//! so the same request-head limits answer the same JSON refusals on both paths.

mod common;

use common::{TestServer, PATIENCE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request head with `total` header lines (`Host` and `Connection` among them).
fn head_with(path: &str, total: usize) -> String {
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n");
    for i in 0..total - 2 {
        head.push_str(&format!("x-filler-{i}: 1\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    head
}

/// Sends `bytes` on a fresh connection and reads the whole answer.
async fn exchange(server: &TestServer, bytes: &[u8]) -> String {
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut out))
        .await
        .expect("the server answers and closes")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn too_many_headers_get_the_same_json_431_on_the_stream_and_router_paths() {
    let server = TestServer::start(|_| {}).await;
    let limit = longbox::auth::MAX_HEADERS;
    for path in ["/api/events/stream", "/api/health", "/"] {
        let answer = exchange(&server, head_with(path, limit + 1).as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{path}: {answer}");
        assert!(
            answer.contains(r#"{"error":"more than 48 request headers"}"#),
            "{path}: {answer}"
        );
    }
    let answer = exchange(&server, head_with("/api/health", limit).as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "at the limit: {answer}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_later_request_on_a_keep_alive_connection_is_admitted_again() {
    let server = TestServer::start(|_| {}).await;
    let mut both = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec();
    both.extend_from_slice(
        head_with("/api/events/stream", longbox::auth::MAX_HEADERS + 1).as_bytes(),
    );
    let answer = exchange(&server, &both).await;
    let first = answer
        .find("HTTP/1.1 200")
        .expect("the first request is served");
    let second = answer
        .find("HTTP/1.1 431")
        .expect("the second one is refused");
    assert!(first < second, "{answer}");
    assert!(
        answer.contains(r#"{"error":"more than 48 request headers"}"#),
        "{answer}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_overlong_target_is_414_on_the_stream_path() {
    let server = TestServer::start(|_| {}).await;
    let long = format!(
        "GET /api/events/stream?last_event_id={} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "1".repeat(longbox::auth::MAX_URI)
    );
    let answer = exchange(&server, long.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
    assert!(answer.contains(r#"{"error":"#), "{answer}");
    server.shutdown().await;
}
