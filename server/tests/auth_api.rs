//! Accounts, roles, API keys and the door that checks them, against a real server with
//! accounts on: every endpoint without credentials, a reader, cross-site and foreign-Host
//! requests, tampered and expired cookies, brute force, restarts, and streams that end with
//! their session.

mod common;

use common::{Dirs, SseClient, TestServer, PATIENCE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const ADMIN: (&str, &str) = ("admin", "correct horse battery");
const READER: (&str, &str) = ("reader", "staple paper clip");

/// A server with accounts on.
async fn server_with_accounts(tweak: impl FnOnce(&mut longbox::Config)) -> TestServer {
    TestServer::start(|c| {
        c.no_auth = false;
        tweak(c);
    })
    .await
}

/// A browser-like client of one server: its session cookie and its own Origin.
#[derive(Clone)]
struct Browser {
    base: String,
    cookie: Option<String>,
    origin: Option<String>,
}

/// One answer: status, headers, JSON body (`Null` when none).
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    json: Value,
}

impl Browser {
    fn new(server: &TestServer) -> Self {
        let base = format!("http://{}", server.addr);
        Self {
            origin: Some(base.clone()),
            base,
            cookie: None,
        }
    }

    fn no_redirects() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = Self::no_redirects().request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            req = req.header("cookie", cookie);
        }
        if let Some(origin) = &self.origin {
            req = req.header("origin", origin);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            json: resp.json().await.unwrap_or(Value::Null),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Keeps the session cookie an answer set.
    fn keep_cookie(&mut self, answer: &Answer) {
        let set = answer.headers["set-cookie"].to_str().unwrap();
        self.cookie = Some(set.split(';').next().unwrap().to_string());
    }

    async fn setup(server: &TestServer) -> Self {
        let mut admin = Self::new(server);
        let answer = admin
            .post(
                "/api/auth/setup",
                json!({"username": ADMIN.0, "password": ADMIN.1}),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.json);
        admin.keep_cookie(&answer);
        admin
    }

    async fn login(server: &TestServer, (user, password): (&str, &str)) -> Self {
        let mut browser = Self::new(server);
        let answer = browser
            .post(
                "/api/auth/login",
                json!({"username": user, "password": password}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.json);
        browser.keep_cookie(&answer);
        browser
    }
}

fn error_of(answer: &Answer) -> &str {
    answer.json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("a JSON error, got {}", answer.json))
}

#[tokio::test]
async fn the_first_visit_sets_up_the_admin_and_setup_happens_once() {
    let server = server_with_accounts(|_| {}).await;
    let visitor = Browser::new(&server);
    for page in ["/", "/login", "/history"] {
        let answer = visitor.get(page).await;
        assert_eq!(answer.status, 303, "{page}");
        assert_eq!(answer.headers["location"], "/setup", "{page}");
    }
    assert_eq!(visitor.get("/setup").await.status, 200);
    let answer = visitor.get("/api/files").await;
    assert_eq!(answer.status, 401);
    assert!(error_of(&answer).contains("/setup"), "{}", answer.json);
    let me = visitor.get("/api/auth/me").await;
    assert_eq!(me.json["setup_needed"], true);

    let weak = visitor
        .post(
            "/api/auth/setup",
            json!({"username": "admin", "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, 400);
    assert!(error_of(&weak).contains("10 characters"));

    let setup = visitor
        .post(
            "/api/auth/setup",
            json!({"username": ADMIN.0, "password": ADMIN.1}),
        )
        .await;
    assert_eq!(setup.status, 201);
    assert_eq!(setup.json["role"], "admin");
    let cookie = setup.headers["set-cookie"].to_str().unwrap();
    for attribute in ["longbox_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP gets no Secure cookie: {cookie}"
    );

    let again = visitor
        .post(
            "/api/auth/setup",
            json!({"username": "mallory", "password": "0123456789abc"}),
        )
        .await;
    assert_eq!(again.status, 409);

    let mut admin = Browser::new(&server);
    admin.keep_cookie(&setup);
    assert_eq!(admin.get("/api/files").await.status, 200);
    let me = admin.get("/api/auth/me").await;
    assert_eq!(me.json["user"]["username"], "admin");
    assert_eq!(me.json["role"], "admin");
    assert_eq!(admin.get("/setup").await.headers["location"], "/");
    assert_eq!(visitor.get("/").await.headers["location"], "/login");
    server.shutdown().await;
}

/// Every endpoint but the public ones, with a body where it takes one.
fn protected_endpoints() -> Vec<(Method, &'static str)> {
    vec![
        (Method::GET, "/api/events/stream"),
        (Method::GET, "/api/events/stats"),
        (Method::GET, "/api/events/status"),
        (Method::POST, "/api/events/broadcast"),
        (Method::GET, "/api/files"),
        (Method::GET, "/api/files/a.cbz"),
        (Method::GET, "/api/cache/stats"),
        (Method::POST, "/api/cache/rebuild"),
        (Method::GET, "/api/watcher/status"),
        (Method::POST, "/api/watcher"),
        (Method::GET, "/api/jobs"),
        (Method::POST, "/api/jobs"),
        (Method::GET, "/api/jobs/1"),
        (Method::DELETE, "/api/jobs/1"),
        (Method::POST, "/api/jobs/1/cancel"),
        (Method::POST, "/api/jobs/1/undo"),
        (Method::GET, "/api/settings"),
        (Method::PUT, "/api/settings"),
        (Method::GET, "/api/history"),
        (Method::POST, "/api/auth/logout"),
        (Method::GET, "/api/users"),
        (Method::POST, "/api/users"),
        (Method::PATCH, "/api/users/1"),
        (Method::DELETE, "/api/users/1"),
        (Method::GET, "/api/keys"),
        (Method::POST, "/api/keys"),
        (Method::DELETE, "/api/keys/1"),
        (Method::GET, "/api/sessions"),
        (Method::DELETE, "/api/sessions/1"),
        (Method::GET, "/metrics"),
    ]
}

/// Endpoints an admin may use and a reader may not.
fn admin_only() -> Vec<(Method, &'static str)> {
    vec![
        (Method::POST, "/api/events/broadcast"),
        (Method::POST, "/api/cache/rebuild"),
        (Method::POST, "/api/watcher"),
        (Method::POST, "/api/jobs"),
        (Method::DELETE, "/api/jobs/1"),
        (Method::POST, "/api/jobs/1/cancel"),
        (Method::POST, "/api/jobs/1/undo"),
        (Method::GET, "/api/settings"),
        (Method::PUT, "/api/settings"),
        (Method::GET, "/api/users"),
        (Method::POST, "/api/users"),
        (Method::PATCH, "/api/users/1"),
        (Method::DELETE, "/api/users/1"),
        (Method::GET, "/api/keys"),
        (Method::POST, "/api/keys"),
        (Method::DELETE, "/api/keys/1"),
    ]
}

#[tokio::test]
async fn every_endpoint_needs_credentials_and_readers_cannot_use_admin_ones() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    let anonymous = Browser::new(&server);
    for (method, path) in protected_endpoints() {
        let answer = anonymous.send(method.clone(), path, Some(json!({}))).await;
        assert_eq!(answer.status, 401, "{method} {path}: {}", answer.json);
        error_of(&answer);
    }
    let created = admin
        .post(
            "/api/users",
            json!({"username": READER.0, "password": READER.1, "role": "reader"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let reader = Browser::login(&server, READER).await;
    for (method, path) in admin_only() {
        let answer = reader.send(method.clone(), path, Some(json!({}))).await;
        assert_eq!(answer.status, 403, "{method} {path}: {}", answer.json);
        error_of(&answer);
    }
    for path in [
        "/api/files",
        "/api/history",
        "/api/watcher/status",
        "/api/auth/me",
    ] {
        assert_eq!(reader.get(path).await.status, 200, "{path}");
    }
    assert_eq!(reader.get("/settings").await.headers["location"], "/");
    assert_eq!(reader.get("/").await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn cross_site_and_foreign_origin_writes_are_refused() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    let client = reqwest::Client::new();
    let url = server.url("/api/watcher");
    let cookie = admin.cookie.clone().unwrap();

    // The classic: a form or fetch from another site with a text/plain body (no preflight).
    let simple = client
        .post(&url)
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .header("content-type", "text/plain")
        .body(r#"{"enabled": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(simple.status(), 403);
    // The same body from Longbox's own origin is still not JSON.
    let plain = client
        .post(&url)
        .header("cookie", &cookie)
        .header("origin", admin.origin.as_deref().unwrap())
        .header("content-type", "text/plain")
        .body(r#"{"enabled": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let cases: [(&str, &str); 4] = [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ];
    for (name, value) in cases {
        let resp = client
            .post(&url)
            .header("cookie", &cookie)
            .header(name, value)
            .json(&json!({"enabled": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{name}: {value}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("cross-site"),
            "{body}"
        );
    }
    // A cookie alone does not prove where a write comes from.
    let bare = client
        .post(&url)
        .header("cookie", &cookie)
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
    // Fetch metadata from the page itself does.
    let same = client
        .post(&url)
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn a_foreign_host_is_421_on_every_path_unless_allowed() {
    let server = server_with_accounts(|c| c.allowed_hosts = vec!["longbox.lan".into()]).await;
    let port = server.addr.port();
    for (host, expected) in [
        ("rebind.evil.example".to_string(), "421"),
        (format!("localhost:{port}"), "401"),
        (format!("longbox.lan:{port}"), "401"),
        (format!("192.168.1.20:{port}"), "401"),
    ] {
        for path in ["/api/events/stream", "/api/files"] {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            let answer = raw(&server, &request).await;
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {expected}")),
                "{host} {path}: {answer}"
            );
            assert!(answer.contains(r#"{"error":"#), "{answer}");
        }
    }
    server.shutdown().await;
}

async fn raw(server: &TestServer, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut out))
        .await
        .expect("answered and closed")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn tampered_and_expired_cookies_are_401() {
    let server = server_with_accounts(|c| c.session_idle = Duration::from_secs(1)).await;
    let admin = Browser::setup(&server).await;
    let mut tampered = admin.clone();
    let cookie = admin.cookie.clone().unwrap();
    let flipped = if cookie.ends_with('0') { '1' } else { '0' };
    tampered.cookie = Some(format!("{}{flipped}", &cookie[..cookie.len() - 1]));
    let answer = tampered.get("/api/files").await;
    assert_eq!(answer.status, 401);
    assert_eq!(tampered.get("/").await.headers["location"], "/login");
    assert_eq!(admin.get("/api/files").await.status, 200);

    // Unused for longer than the idle time (1 s here; whole seconds are compared).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let answer = admin.get("/api/files").await;
    assert_eq!(answer.status, 401);
    assert!(error_of(&answer).contains("expired"), "{}", answer.json);
    assert_eq!(
        admin.get("/api/files").await.status,
        401,
        "an expired session stays ended"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn login_brute_force_is_throttled_and_both_failures_look_alike() {
    let server = server_with_accounts(|_| {}).await;
    let _admin = Browser::setup(&server).await;
    let visitor = Browser::new(&server);
    let wrong_user = visitor
        .post(
            "/api/auth/login",
            json!({"username": "nobody", "password": "whatever12345"}),
        )
        .await;
    let wrong_password = visitor
        .post(
            "/api/auth/login",
            json!({"username": ADMIN.0, "password": "whatever12345"}),
        )
        .await;
    assert_eq!(wrong_user.status, 401);
    assert_eq!(
        wrong_user.json, wrong_password.json,
        "no hint which one was wrong"
    );
    let limit = longbox::auth::throttle::LOGIN_ATTEMPTS;
    for i in 2..limit {
        let answer = visitor
            .post(
                "/api/auth/login",
                json!({"username": ADMIN.0, "password": format!("guess {i:04}")}),
            )
            .await;
        assert_eq!(answer.status, 401, "attempt {i}");
    }
    let throttled = visitor
        .post(
            "/api/auth/login",
            json!({"username": ADMIN.0, "password": ADMIN.1}),
        )
        .await;
    assert_eq!(throttled.status, 429, "{}", throttled.json);
    let wait: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    server.shutdown().await;
}

#[tokio::test]
async fn many_simultaneous_logins_queue_while_streams_keep_flowing() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    let cookie = admin.cookie.clone().unwrap();
    let mut stream = SseClient::connect_with(
        &server.url("/api/events/stream?subscribe=notification"),
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(stream.next_event().await.unwrap().kind(), "connected");
    let logins: Vec<_> = (0..100)
        .map(|_| {
            let visitor = Browser::new(&server);
            tokio::spawn(async move {
                visitor
                    .post(
                        "/api/auth/login",
                        json!({"username": ADMIN.0, "password": ADMIN.1}),
                    )
                    .await
                    .status
            })
        })
        .collect();
    let published = admin
        .post(
            "/api/events/broadcast",
            json!({"type": "notification", "data": {"level": "info", "message": "during logins"}}),
        )
        .await;
    assert_eq!(published.status, 202, "{}", published.json);
    let note = stream.until(|j| j["type"] == "notification").await;
    assert_eq!(note["data"]["message"], "during logins");
    // Attempts are counted before their hash, so parallel ones from one address are throttled
    // like sequential ones: every login is answered, some in, the rest 429.
    let mut answered = Vec::new();
    for login in logins {
        let status = tokio::time::timeout(PATIENCE * 6, login)
            .await
            .unwrap()
            .unwrap();
        answered.push(status.as_u16());
    }
    assert!(
        answered.iter().all(|s| *s == 200 || *s == 429),
        "{answered:?}"
    );
    assert!(answered.contains(&200), "{answered:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn sessions_and_keys_survive_a_restart() {
    let dirs = Dirs::demo();
    let config = || {
        let mut c = dirs.config();
        c.no_auth = false;
        c
    };
    let server = TestServer::start_with(config()).await;
    let admin = Browser::setup(&server).await;
    let key = admin
        .post("/api/keys", json!({"name": "sync", "role": "reader"}))
        .await;
    assert_eq!(key.status, 201);
    let key = key.json["key"].as_str().unwrap().to_string();
    server.shutdown().await;

    let server = TestServer::start_with(config()).await;
    let mut again = admin.clone();
    again.base = format!("http://{}", server.addr);
    again.origin = Some(again.base.clone());
    assert_eq!(
        again.get("/api/files").await.status,
        200,
        "the cookie still works"
    );
    let with_key = reqwest::Client::new()
        .get(server.url("/api/files"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(with_key.status(), 200, "the key still works");
    assert_eq!(again.get("/api/auth/me").await.json["setup_needed"], false);
    server.shutdown().await;
}

#[tokio::test]
async fn api_keys_are_shown_once_carry_their_role_and_end_when_revoked() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    let created = admin
        .post("/api/keys", json!({"name": "komga sync", "role": "reader"}))
        .await;
    assert_eq!(created.status, 201);
    let key = created.json["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("lbk_"));
    let listed = admin.get("/api/keys").await;
    assert_eq!(listed.json[0]["name"], "komga sync");
    assert!(
        !listed.json.to_string().contains(&key),
        "the key is never listed"
    );

    let http = reqwest::Client::new();
    let bearer =
        |method: Method, path: &str| http.request(method, server.url(path)).bearer_auth(&key);
    // No Origin needed: scripts are not browsers.
    assert_eq!(
        bearer(Method::GET, "/api/files")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let write = bearer(Method::POST, "/api/cache/rebuild")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 403, "a reader key cannot rebuild");
    let wrong = http
        .get(server.url("/api/files"))
        .bearer_auth("lbk_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let admin_key = admin
        .post("/api/keys", json!({"name": "cron", "role": "admin"}))
        .await;
    let admin_key = admin_key.json["key"].as_str().unwrap().to_string();
    let rebuild = http
        .post(server.url("/api/cache/rebuild"))
        .bearer_auth(&admin_key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(rebuild.status(), 202, "an admin key needs no Origin");

    let auth = format!("Bearer {key}");
    let mut stream = SseClient::connect_with(
        &server.url("/api/events/stream"),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(stream.status, 200);
    assert_eq!(stream.next_event().await.unwrap().kind(), "connected");
    let id = created.json["view"]["id"].as_i64().unwrap();
    let revoked = admin
        .send(Method::DELETE, &format!("/api/keys/{id}"), None)
        .await;
    assert_eq!(revoked.status, 204);
    let expired = stream.until(|j| j["type"] == "session_expired").await;
    assert!(expired["data"]["reason"].as_str().is_some(), "{expired}");
    assert!(stream.next_frame().await.is_none(), "the stream is closed");
    assert_eq!(
        bearer(Method::GET, "/api/files")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    server.shutdown().await;
}

#[tokio::test]
async fn logging_out_ends_that_sessions_streams_only() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    let other = Browser::login(&server, ADMIN).await;
    let open = |b: &Browser| {
        let cookie = b.cookie.clone().unwrap();
        let url = server.url("/api/events/stream");
        async move { SseClient::connect_with(&url, &[("cookie", &cookie)]).await }
    };
    let mut mine = open(&admin).await;
    let mut theirs = open(&other).await;
    assert_eq!(mine.next_event().await.unwrap().kind(), "connected");
    assert_eq!(theirs.next_event().await.unwrap().kind(), "connected");

    let out = admin.post("/api/auth/logout", json!({})).await;
    assert_eq!(out.status, 204);
    assert!(out.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let expired = mine.until(|j| j["type"] == "session_expired").await;
    assert_eq!(expired["type"], "session_expired");
    assert!(mine.next_frame().await.is_none(), "my stream is closed");
    assert_eq!(admin.get("/api/files").await.status, 401);

    // The other session's stream carries on.
    let note = other
        .post(
            "/api/events/broadcast",
            json!({"type": "notification", "data": {"level": "info", "message": "still here"}}),
        )
        .await;
    assert_eq!(note.status, 202);
    let got = theirs.until(|j| j["type"] == "notification").await;
    assert_eq!(got["data"]["message"], "still here");

    // An admin ends another session by id; deleting a user ends theirs.
    let sessions = other.get("/api/sessions").await;
    let current = sessions
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap();
    assert_eq!(current["username"], "admin");
    server.shutdown().await;
}

#[tokio::test]
async fn deleting_a_user_or_resetting_a_password_ends_their_sessions() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    let created = admin
        .post(
            "/api/users",
            json!({"username": READER.0, "password": READER.1, "role": "reader"}),
        )
        .await;
    let id = created.json["id"].as_i64().unwrap();
    let taken = admin
        .post(
            "/api/users",
            json!({"username": "READER", "password": READER.1, "role": "reader"}),
        )
        .await;
    assert_eq!(taken.status, 409, "names are unique case-insensitively");

    let reader = Browser::login(&server, READER).await;
    let reset = admin
        .send(
            Method::PATCH,
            &format!("/api/users/{id}"),
            Some(json!({"password": "a brand new secret"})),
        )
        .await;
    assert_eq!(reset.status, 204);
    assert_eq!(reader.get("/api/files").await.status, 401);
    let reader = Browser::login(&server, (READER.0, "a brand new secret")).await;
    let promote = admin
        .send(
            Method::PATCH,
            &format!("/api/users/{id}"),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(promote.status, 204);
    assert_eq!(
        reader.get("/api/settings").await.status,
        200,
        "the new role applies at once"
    );

    let me = admin.get("/api/auth/me").await;
    let admin_id = me.json["user"]["id"].as_i64().unwrap();
    let removed = admin
        .send(Method::DELETE, &format!("/api/users/{id}"), None)
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(reader.get("/api/files").await.status, 401);
    let last = admin
        .send(Method::DELETE, &format!("/api/users/{admin_id}"), None)
        .await;
    assert_eq!(last.status, 409, "the only admin stays: {}", last.json);
    server.shutdown().await;
}

#[tokio::test]
async fn no_auth_keeps_the_origin_and_content_type_checks() {
    let server = TestServer::start(|_| {}).await;
    let client = reqwest::Client::new();
    let foreign = client
        .post(server.url("/api/cache/rebuild"))
        .header("origin", "http://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let text = client
        .post(server.url("/api/events/broadcast"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    let me: Value = client
        .get(server.url("/api/auth/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["no_auth"], true);
    assert_eq!(me["role"], "admin");
    server.shutdown().await;
}

#[test]
fn no_auth_on_a_reachable_address_exits_with_status_2() {
    let library = tempfile::tempdir().unwrap();
    for (args, env) in [
        (vec!["--no-auth", "--addr", "0.0.0.0:0"], None),
        (vec!["--addr", "0.0.0.0:0"], Some(("LONGBOX_NO_AUTH", "1"))),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_longbox"));
        cmd.args(&args).arg("--library").arg(library.path());
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--no-auth") && stderr.contains("loopback"),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn signing_in_to_ones_own_account_buys_no_more_guesses() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    admin
        .post(
            "/api/users",
            json!({"username": READER.0, "password": READER.1, "role": "reader"}),
        )
        .await;
    let visitor = Browser::new(&server);
    let guess = |i: u32| {
        let visitor = visitor.clone();
        async move {
            visitor
                .post(
                    "/api/auth/login",
                    json!({"username": ADMIN.0, "password": format!("guess {i:04}")}),
                )
                .await
                .status
        }
    };
    let limit = longbox::auth::throttle::LOGIN_ATTEMPTS;
    for i in 0..limit - 1 {
        assert_eq!(guess(i).await, 401);
    }
    for _ in 0..3 {
        Browser::login(&server, READER).await;
    }
    assert_eq!(guess(100).await, 401, "the last attempt of the window");
    assert_eq!(
        guess(101).await,
        429,
        "the reader's own logins gave nothing back"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let server = server_with_accounts(|_| {}).await;
    let first = Browser::setup(&server).await;
    let created = first
        .post(
            "/api/users",
            json!({"username": "second", "password": "another admin pass", "role": "admin"}),
        )
        .await;
    let second_id = created.json["id"].as_i64().unwrap();
    let first_id = first.get("/api/auth/me").await.json["user"]["id"]
        .as_i64()
        .unwrap();
    let second = Browser::login(&server, ("second", "another admin pass")).await;
    let demote = |browser: Browser, id: i64| async move {
        browser
            .send(
                Method::PATCH,
                &format!("/api/users/{id}"),
                Some(json!({"role": "reader"})),
            )
            .await
            .status
    };
    let (a, b) = tokio::join!(
        demote(first.clone(), second_id),
        demote(second.clone(), first_id)
    );
    let mut statuses = [a.as_u16(), b.as_u16()];
    statuses.sort();
    assert!(
        statuses == [204, 409] || statuses == [204, 403],
        "{statuses:?}"
    );
    let users = Browser::login(&server, ADMIN).await.get("/api/users").await;
    let admins = match users.status.as_u16() {
        200 => users
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role"] == "admin")
            .count(),
        _ => {
            let users = Browser::login(&server, ("second", "another admin pass"))
                .await
                .get("/api/users")
                .await;
            users
                .json
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| u["role"] == "admin")
                .count()
        }
    };
    assert_eq!(admins, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn another_authorization_scheme_is_ignored_not_refused() {
    let server = server_with_accounts(|_| {}).await;
    let admin = Browser::setup(&server).await;
    // A Basic-auth proxy in front forwards its own header; the session cookie still counts.
    let resp = reqwest::Client::new()
        .get(server.url("/api/files"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .header("cookie", admin.cookie.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.shutdown().await;
}

#[test]
fn no_auth_behind_a_trusted_proxy_exits_with_status_2() {
    let library = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_longbox"))
        .args([
            "--no-auth",
            "--addr",
            "127.0.0.1:0",
            "--trusted-proxies",
            "127.0.0.1/32",
        ])
        .arg("--library")
        .arg(library.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trusted-proxies"));
}
