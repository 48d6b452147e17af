//! The event hub over real HTTP: a server on 127.0.0.1 and real SSE clients.

mod common;

use app::events::{Event, JobProgress, JobStatus, JobUpdated, WatcherStatus};
use common::*;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The stream restricted to what these tests publish, so start-up events (the first scan's
/// `cache_updated`, `watcher_status`) do not interleave.
const NOTES: &str = "/api/events/stream?subscribe=notification,job_updated";

fn job(id: &str, status: JobStatus, processed: u64) -> Event {
    Event::JobUpdated(JobUpdated {
        job_id: id.into(),
        status,
        progress: JobProgress::new(processed, 4, processed, 0),
    })
}

#[tokio::test]
async fn stream_has_sse_headers_retry_and_connected_first() {
    let server = TestServer::start(|_| {}).await;
    let mut client = SseClient::connect(&server.url("/api/events/stream"), None).await;
    assert_eq!(client.status, 200);
    assert_eq!(client.headers["content-type"], "text/event-stream");
    assert_eq!(client.headers["cache-control"], "no-cache");
    assert_eq!(client.headers["x-accel-buffering"], "no");

    let first = client.next_frame().await.unwrap();
    assert_eq!(first.retry, Some(3000));
    let connected = client.next_frame().await.unwrap();
    let resume: u64 = connected
        .id
        .as_deref()
        .expect("connected carries the id to resume from")
        .parse()
        .unwrap();
    assert_eq!(
        Some(resume),
        server
            .state
            .hub
            .history_bounds()
            .map(|b| b.1)
            .or(Some(resume)),
        "a fresh stream resumes from the newest id"
    );
    let json = connected.json();
    assert_eq!(json["type"], "connected");
    assert!(json["data"]["connection_id"]
        .as_str()
        .unwrap()
        .starts_with('c'));
    assert_eq!(
        json["data"]["subscriptions"].as_array().unwrap().len(),
        app::events::EventType::ALL.len()
    );
    assert!(json["timestamp"].as_f64().unwrap() > 1.6e9);
    server.shutdown().await;
}

#[tokio::test]
async fn events_arrive_in_order_with_increasing_ids_and_exact_envelope() {
    let server = TestServer::start(|_| {}).await;
    server.covers_settled().await;
    let mut client = SseClient::open(&server, NOTES).await;
    for i in 0..300 {
        server.state.hub.publish(note(format!("n{i}")));
        if i % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let frames = client.numbered(300).await;
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(message_of(f), format!("n{i}"));
        let json = f.json();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "type, data, timestamp only: {json}");
        assert!(f
            .data
            .as_deref()
            .unwrap()
            .starts_with(r#"{"type":"notification","data":{"level":"info","message":"#));
        if i > 0 {
            assert_eq!(f.id_u64(), frames[i - 1].id_u64() + 1);
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn reconnect_with_last_event_id_replays_with_no_gap_and_no_duplicate() {
    let server = TestServer::start(|_| {}).await;
    // Ids are counted below: no covers_progress may come between the notes.
    server.covers_settled().await;
    let hub = server.state.hub.clone();
    let mut first = SseClient::connect(&server.url(NOTES), None).await;
    for i in 0..50 {
        hub.publish(note(format!("n{i}")));
    }
    let seen = first.numbered(20).await;
    let last = seen.last().unwrap().id.clone().unwrap();
    drop(first);

    // Keep publishing while the client reconnects, so replay and live events meet mid-flight.
    let publisher = tokio::spawn({
        let hub = hub.clone();
        async move {
            for i in 50..400 {
                hub.publish(note(format!("n{i}")));
                if i % 25 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }
    });
    let mut again = SseClient::connect(&server.url(NOTES), Some(&last)).await;
    let rest = again.numbered(400 - 20).await;
    publisher.await.unwrap();
    let first_missed = last.parse::<u64>().unwrap() + 1;
    for (k, f) in rest.iter().enumerate() {
        assert_eq!(
            f.id_u64(),
            first_missed + k as u64,
            "frame {k} is the next id"
        );
        assert_eq!(message_of(f), format!("n{}", 20 + k));
    }
    // The same through the query parameter.
    let mut by_query =
        SseClient::connect(&server.url(&format!("{NOTES}&last_event_id={last}")), None).await;
    let replayed = by_query.numbered(380).await;
    assert_eq!(
        replayed.first().unwrap().id_u64(),
        last.parse::<u64>().unwrap() + 1
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_cut_off_right_after_connected_resumes_from_its_id_and_loses_nothing() {
    let server = TestServer::start(|_| {}).await;
    let hub = server.state.hub.clone();
    hub.publish(note("before"));
    let mut client = SseClient::connect(&server.url(NOTES), None).await;
    let connected = client.next_event().await.unwrap();
    assert_eq!(connected.kind(), "connected");
    let resume = connected.id.clone().expect("connected carries an id");
    drop(client);
    for i in 0..30 {
        hub.publish(note(format!("outage {i}")));
    }
    let mut again = SseClient::connect(&server.url(NOTES), Some(&resume)).await;
    let first = again.next_event().await.unwrap();
    assert_eq!(first.kind(), "connected");
    assert_eq!(
        first.id.as_deref(),
        Some(resume.as_str()),
        "a replay keeps the cursor"
    );
    let got = again.numbered(30).await;
    let messages: Vec<String> = got.iter().map(message_of).collect();
    let want: Vec<String> = (0..30).map(|i| format!("outage {i}")).collect();
    assert_eq!(messages, want, "every event of the outage, once, in order");
    server.shutdown().await;
}

#[tokio::test]
async fn id_outside_the_window_gets_resync_then_current_state() {
    let server = TestServer::start(|c| c.history_size = 8).await;
    let hub = server.state.hub.clone();
    let old = hub.publish(note("old"));
    for i in 0..20 {
        hub.publish(note(format!("n{i}")));
    }
    let mut client = SseClient::connect(&server.url(NOTES), Some(&old.to_string())).await;
    assert_eq!(client.next_event().await.unwrap().kind(), "connected");
    let resync = client.next_event().await.unwrap();
    assert_eq!(resync.kind(), "resync");
    assert_eq!(resync.id, None);
    let state: Vec<Frame> = client.numbered(1).await;
    assert_eq!(message_of(&state[0]), "n19", "only the last notification");

    // Garbage ids are treated the same way.
    let mut garbage = SseClient::connect(&server.url(NOTES), Some("xyz")).await;
    garbage.next_event().await.unwrap();
    assert_eq!(garbage.next_event().await.unwrap().kind(), "resync");
    server.shutdown().await;
}

#[tokio::test]
async fn id_from_before_a_restart_gets_resync() {
    let first = TestServer::start(|_| {}).await;
    let old_id = first.state.hub.publish(note("before restart"));
    let (library, data) = first.shutdown().await.unwrap();

    let mut config = longbox::Config::new(library.path().into(), data.path().into());
    config.history_size = 1024;
    config.no_auth = true;
    let second = TestServer::start_with(config).await;
    second.state.hub.publish(note("after restart"));
    let mut client = SseClient::connect(&second.url(NOTES), Some(&old_id.to_string())).await;
    assert_eq!(client.next_event().await.unwrap().kind(), "connected");
    assert_eq!(client.next_event().await.unwrap().kind(), "resync");
    let state = client.numbered(1).await;
    assert_eq!(message_of(&state[0]), "after restart");
    assert!(
        state[0].id_u64() > old_id,
        "ids keep increasing across restarts"
    );
    second.shutdown().await;
}

#[tokio::test]
async fn new_client_without_id_gets_last_event_per_type_and_per_live_job() {
    let server = TestServer::start(|_| {}).await;
    let hub = server.state.hub.clone();
    hub.publish(note("first"));
    hub.publish(note("second"));
    hub.publish(job("job-a", JobStatus::Processing, 1));
    hub.publish(job("job-b", JobStatus::Processing, 1));
    hub.publish(job("job-a", JobStatus::Completed, 4));
    hub.forget_job("job-b");
    let mut client = SseClient::connect(&server.url(NOTES), None).await;
    let state = client.numbered(2).await;
    assert_eq!(message_of(&state[0]), "second");
    assert_eq!(state[1].json()["data"]["job_id"], "job-a");
    assert_eq!(state[1].json()["data"]["status"], "completed");
    // Nothing else was queued: the next event is a live one.
    hub.publish(note("live"));
    assert_eq!(message_of(&client.numbered(1).await[0]), "live");
    server.shutdown().await;
}

#[tokio::test]
async fn subscribe_filters_types_and_rejects_unknown_names() {
    let server = TestServer::start(|_| {}).await;
    let hub = server.state.hub.clone();
    let mut jobs_only = SseClient::connect(
        &server.url("/api/events/stream?subscribe=job_updated,file_processed"),
        None,
    )
    .await;
    let connected = jobs_only.next_event().await.unwrap();
    assert_eq!(
        connected.json()["data"]["subscriptions"],
        json!([
            "file_processed",
            "job_updated",
            "connected",
            "resync",
            "session_expired"
        ])
    );
    hub.publish(note("skip me"));
    hub.publish(job("j1", JobStatus::Queued, 0));
    hub.publish(Event::WatcherStatus(WatcherStatus {
        running: false,
        enabled: true,
    }));
    hub.publish(job("j1", JobStatus::Processing, 1));
    let got = jobs_only.numbered(2).await;
    assert!(got.iter().all(|f| f.kind() == "job_updated"));

    let resp = reqwest::get(server.url("/api/events/stream?subscribe=job_updated,bogus"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("bogus"), "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn broadcast_validates_publishes_and_limits_size() {
    let server = TestServer::start(|_| {}).await;
    let mut client = SseClient::open(&server, NOTES).await;
    let http = reqwest::Client::new();
    let url = server.url("/api/events/broadcast");

    let ok = http
        .post(&url)
        .json(&json!({"type": "notification", "data": {"level": "success", "message": "hello"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 202);
    let id = ok.json::<Value>().await.unwrap()["event_id"]
        .as_u64()
        .unwrap();
    let got = client.numbered(1).await;
    assert_eq!(got[0].id_u64(), id);
    assert_eq!(message_of(&got[0]), "hello");
    assert!(
        got[0].json()["timestamp"].as_f64().unwrap() > 1.6e9,
        "timestamp filled in"
    );

    for (body, needle) in [
        (
            json!({"type": "nope", "data": {}}),
            "unknown event type `nope`",
        ),
        (
            json!({"type": "cache_updated", "data": {"message": "x"}}),
            "rebuild_complete",
        ),
        (
            json!({"type": "connected", "data": {"connection_id": "x", "subscriptions": []}}),
            "cannot be broadcast",
        ),
        (json!({"data": {}}), "type"),
    ] {
        let resp = http.post(&url).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert!(
            err["error"].as_str().unwrap().contains(needle),
            "{err} should name {needle}"
        );
    }
    let not_json = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let undeclared = http
        .post(&url)
        .body(r#"{"type":"notification"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(undeclared.status(), 415, "a body must be declared JSON");

    let huge = format!(
        r#"{{"type":"notification","data":{{"level":"info","message":"{}"}}}}"#,
        "x".repeat(70 * 1024)
    );
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body(huge.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert!(resp.json::<Value>().await.unwrap()["error"].is_string());
    // Without a Content-Length (chunked), the limit still holds.
    let chunks = futures::stream::iter(
        huge.into_bytes()
            .chunks(4096)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let stats: Value = get_ok(&server, "/api/events/stats").await;
    assert_eq!(
        stats["events_by_type"]["notification"], 1,
        "rejected bodies publish nothing"
    );
    assert_eq!(stats["events_by_type"]["connected"], 0);
    server.shutdown().await;
}

#[tokio::test]
async fn heartbeat_comment_arrives_at_the_configured_period() {
    let server = TestServer::start(|c| c.heartbeat_secs = 1).await;
    let mut client = SseClient::connect(&server.url(NOTES), None).await;
    let mut saw = false;
    for _ in 0..4 {
        let f = client.next_frame().await.unwrap();
        if f.comment.as_deref() == Some("heartbeat") {
            saw = true;
            break;
        }
    }
    assert!(saw, "a `: heartbeat` comment arrives");
    server.shutdown().await;
}

#[tokio::test]
async fn stats_and_status_describe_connections_and_counts() {
    let server = TestServer::start(|_| {}).await;
    server.covers_settled().await;
    let mut a = SseClient::connect(&server.url(NOTES), None).await;
    let mut b = SseClient::connect(
        &server.url("/api/events/stream?subscribe=job_updated"),
        None,
    )
    .await;
    let before: Value = get_ok(&server, "/api/events/stats").await;
    a.next_event().await.unwrap();
    b.next_event().await.unwrap();
    for i in 0..5 {
        server.state.hub.publish(note(format!("n{i}")));
    }
    server.state.hub.publish(job("j", JobStatus::Queued, 0));
    a.numbered(6).await;
    b.numbered(1).await;

    let stats: Value = get_ok(&server, "/api/events/stats").await;
    assert_eq!(stats["active_clients"], 2);
    let startup = stats["events_by_type"]["cache_updated"].as_u64().unwrap()
        + stats["events_by_type"]["watcher_status"].as_u64().unwrap()
        + stats["events_by_type"]["covers_progress"]
            .as_u64()
            .unwrap_or(0);
    assert_eq!(stats["total_events_broadcast"], 6 + startup);
    assert_eq!(
        stats["total_deliveries"].as_u64().unwrap() - before["total_deliveries"].as_u64().unwrap(),
        7,
        "6 to a, 1 to b"
    );
    assert_eq!(stats["dropped_clients"], 0);
    assert_eq!(stats["events_by_type"]["notification"], 5);
    assert_eq!(stats["events_by_type"]["job_updated"], 1);

    let status: Value = get_ok(&server, "/api/events/status").await;
    let rows = status.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["user_agent"], "longbox-tests/1");
        assert!(row["remote_addr"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:"));
        assert!(row["connected_since"].as_f64().unwrap() > 1.6e9);
        assert_eq!(row["queue_length"], 0);
        assert!(row["last_event_id"].as_u64().is_some());
    }
    let filtered = rows
        .iter()
        .find(|r| r["subscriptions"].as_array().unwrap().len() == 4)
        .unwrap();
    assert_eq!(
        filtered["subscriptions"],
        json!(["job_updated", "connected", "resync", "session_expired"])
    );

    drop(a);
    drop(b);
    // The server notices closed sockets on its next write.
    for _ in 0..50 {
        server.state.hub.publish(note("probe"));
        if server.state.hub.active_clients() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.state.hub.active_clients(), 0);
    server.shutdown().await;
}

#[tokio::test]
async fn a_stalled_client_is_dropped_while_a_normal_client_gets_everything() {
    let server = TestServer::start(|c| c.client_queue = 16).await;
    let hub = server.state.hub.clone();

    // A socket that sends its request and then never reads, with a tiny receive buffer.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(server.addr).await.unwrap();
    stalled
        .write_all(
            b"GET /api/events/stream HTTP/1.1\r\nHost: localhost\r\nUser-Agent: stalled\r\n\r\n",
        )
        .await
        .unwrap();
    let mut normal = SseClient::open(&server, NOTES).await;
    while hub.active_clients() < 2 {
        tokio::task::yield_now().await;
    }

    let big = "x".repeat(4000);
    let total = 3000;
    let reader = tokio::spawn(async move {
        let got = normal.numbered(total).await;
        (got, normal)
    });
    for i in 0..total {
        hub.publish(note(format!("{i}:{big}")));
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let (got, _normal) = reader.await.unwrap();
    for (i, f) in got.iter().enumerate() {
        assert!(
            message_of(f).starts_with(&format!("{i}:")),
            "normal client got every event in order"
        );
    }
    let stats: Value = get_ok(&server, "/api/events/stats").await;
    assert_eq!(stats["dropped_clients"], 1);
    assert_eq!(stats["active_clients"], 1);
    let status: Value = get_ok(&server, "/api/events/status").await;
    assert!(status
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["user_agent"] != "stalled"));
    // The server closed the evicted socket itself: reading what was buffered ends in EOF or a
    // reset, without the client closing anything.
    let mut sink = vec![0u8; 64 * 1024];
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stalled.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "evicted socket was closed by the server");
    server.shutdown().await;
}

#[tokio::test]
async fn a_stream_requested_on_a_used_keep_alive_connection_works_too() {
    let server = TestServer::start(|_| {}).await;
    let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    // First an ordinary request on the connection, then the stream on the same connection.
    socket
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n{") {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "health answered");
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));
    socket
        .write_all(
            b"GET /api/events/stream?subscribe=notification HTTP/1.1\r\nHost: localhost\r\n\r\n",
        )
        .await
        .unwrap();
    let hub = server.state.hub.clone();
    eventually("the second request registered a stream", || {
        let hub = hub.clone();
        async move { (hub.active_clients() == 1).then_some(()) }
    })
    .await;
    hub.publish(note("on a reused connection".to_string()));
    let mut text = String::new();
    while !text.contains("on a reused connection") {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "stream stays open");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(text.contains("text/event-stream"));
    assert!(text.contains("\"type\":\"connected\""));
    drop(socket);
    server.shutdown().await;
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let server = TestServer::start(|_| {}).await;
    let mut client = SseClient::open(&server, NOTES).await;
    server.state.hub.publish(note("m"));
    client.numbered(1).await;
    let resp = reqwest::get(server.url("/metrics")).await.unwrap();
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    assert!(text.contains("longbox_sse_clients 1"), "{text}");
    assert!(text.contains("longbox_events_published_total{type=\"notification\"} 1"));
    assert!(text.contains("longbox_sse_dropped_clients_total 0"));
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    assert!(value("longbox_event_deliveries_total") >= 1);
    let observed = value("longbox_event_latency_seconds_count");
    assert!(observed >= 1);
    assert_eq!(
        value("longbox_event_latency_seconds_bucket{le=\"+Inf\"}"),
        observed
    );
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_every_stream_and_the_server_exits() {
    let server = TestServer::start(|_| {}).await;
    let mut clients = Vec::new();
    for _ in 0..5 {
        let c = SseClient::open(&server, NOTES).await;
        clients.push(c);
    }
    server.stop.cancel();
    for c in &mut clients {
        assert_eq!(c.next_frame().await, None, "stream ended cleanly");
    }
    tokio::time::timeout(PATIENCE, server.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn api_errors_are_json() {
    let server = TestServer::start(|_| {}).await;
    let resp = reqwest::get(server.url("/api/does-not-exist"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].is_string());
    let health: Value = get_ok(&server, "/api/health").await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    server.shutdown().await;
}

/// GET `path` from the test server, which must answer 200 with JSON.
async fn get_ok(server: &TestServer, path: &str) -> Value {
    let (status, body) = get_json(&server.url(path)).await;
    assert_eq!(status, 200, "GET {path}");
    body
}
