//! Longbox behind a real nginx, configured by the files users copy from `deploy/nginx/`: events
//! arrive unbuffered, heartbeats outlast nginx's read timeout, a reconnect resumes from
//! `Last-Event-ID`, and with `--trusted-proxies` the client address and `Secure` cookie are right.
//!
//! Each test runs its own nginx (`nginx -p <tmp> -c <tmp>/nginx.conf`, one process, killed on
//! drop) whose configuration is assembled from the deploy files, not written here: the
//! `upstream longbox` block of `longbox.conf` (its `server` line pointed at the test's Longbox),
//! the body of its TLS `server` block (minus `listen`, `server_name` and `ssl_*`), and
//! `longbox-proxy.conf` as `snippets/longbox-proxy.conf`, which that body includes. The only
//! edits a test makes are named in its [`Proxy`]: a shorter `proxy_read_timeout`, `https` for
//! `$scheme` (a stand-in for TLS termination), or buffering turned back on.
//!
//! nginx must be installed; `scripts/setup.sh` installs Debian's package.

mod common;

use app::api::paths;
use clap::Parser;
use common::{message_of, Frame, SseClient, TestServer, PATIENCE};
use futures::StreamExt;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The proxying snippet: every directive of the `location` that reaches Longbox.
const SNIPPET: &str = "deploy/nginx/longbox-proxy.conf";
/// The site file: upstream, redirect and TLS server blocks.
const SITE: &str = "deploy/nginx/longbox.conf";
/// Where the site file's `include` expects the snippet, relative to nginx's configuration folder.
const SNIPPET_INCLUDED_AS: &str = "snippets/longbox-proxy.conf";
/// The stream, notifications only (start-up scan events stay out of the way).
const NOTES: &str = "/api/events/stream?subscribe=notification";

// ---------------------------------------------------------------------------------------------
// nginx as a child process

/// What a test changes in the deploy files, and nothing else.
#[derive(Clone, Copy, Debug, Default)]
struct Proxy {
    /// Replaces the snippet's `proxy_read_timeout` (seconds).
    read_timeout_secs: Option<u64>,
    /// `X-Forwarded-Proto https` instead of `$scheme`: what nginx sends when it terminates TLS.
    tls_stand_in: bool,
    /// `proxy_buffering on` instead of `off`, to show Longbox's `X-Accel-Buffering: no` alone.
    buffering_on: bool,
}

/// A running nginx in front of one Longbox; killed (and reaped) on drop.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx on a free 127.0.0.1 port in front of `upstream` and waits until it accepts
    /// connections.
    async fn start(upstream: SocketAddr, proxy: Proxy) -> Self {
        let binary = nginx_binary();
        for _attempt in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            write_config(dir.path(), addr, upstream, proxy);
            let child = Command::new(&binary)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(dir.path().join("nginx.conf"))
                .arg("-e")
                .arg(dir.path().join("error.log"))
                .args(["-g", "daemon off;"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            let mut nginx = Self { child, addr, dir };
            match nginx.ready().await {
                Ok(()) => return nginx,
                // Someone took the port between our probe and nginx's bind: try another.
                Err(logs) if logs.contains("Address already in use") => continue,
                Err(logs) => panic!("nginx did not start:\n{logs}"),
            }
        }
        panic!("nginx found no free port in 5 attempts");
    }

    /// Waits until nginx accepts connections; its logs if it exits first.
    async fn ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("nginx exited with {status}\n{}", self.logs()));
            }
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "nginx not listening on {}\n{}",
                    self.addr,
                    self.logs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// nginx's stderr and error log, and the configuration it was given.
    fn logs(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!(
            "--- stderr\n{}--- error.log\n{}--- nginx.conf\n{}--- {SNIPPET_INCLUDED_AS}\n{}",
            read("stderr.log"),
            read("error.log"),
            read("nginx.conf"),
            read(SNIPPET_INCLUDED_AS)
        )
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // `master_process off`: this one process is all of nginx.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx on PATH, else Debian's `/usr/sbin/nginx` (not on a normal user's PATH); a failure
/// naming the fix when there is none.
fn nginx_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("nginx"))
        .chain([PathBuf::from("/usr/sbin/nginx")])
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed (not on PATH, no /usr/sbin/nginx): run scripts/setup.sh, \
                 which installs Debian's nginx package for this test"
            )
        })
}

fn repo_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `nginx.conf` and `snippets/longbox-proxy.conf` into `dir` (nginx's prefix and
/// configuration folder, so the site file's relative `include` finds the snippet there).
fn write_config(dir: &Path, listen: SocketAddr, upstream: SocketAddr, proxy: Proxy) {
    let site = repo_file(SITE);
    let blocks = top_level_blocks(&site);
    let upstream_body = &blocks
        .iter()
        .find(|(head, _)| head == "upstream longbox")
        .unwrap_or_else(|| panic!("{SITE} has no `upstream longbox` block"))
        .1;
    let upstream_body = replace_directive(
        upstream_body,
        SITE,
        |words| words[0] == "server",
        &format!("server {upstream};"),
    );
    let tls_server = &blocks
        .iter()
        .find(|(head, body)| {
            head == "server"
                && body
                    .lines()
                    .any(|l| l.trim_start().starts_with("listen 443"))
        })
        .unwrap_or_else(|| panic!("{SITE} has no `server` block listening on 443"))
        .1;
    // Everything the TLS server does but where it listens and its certificates.
    let server_body: String = tls_server
        .lines()
        .filter(|line| {
            let word = line.split_whitespace().next().unwrap_or("");
            !(word == "listen" || word == "server_name" || word.starts_with("ssl_"))
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        server_body.contains(&format!("include {SNIPPET_INCLUDED_AS};")),
        "{SITE}'s TLS server should include {SNIPPET_INCLUDED_AS}"
    );

    let mut snippet = repo_file(SNIPPET);
    if let Some(secs) = proxy.read_timeout_secs {
        snippet = replace_directive(
            &snippet,
            SNIPPET,
            |w| w[0] == "proxy_read_timeout",
            &format!("proxy_read_timeout {secs}s;"),
        );
    }
    if proxy.tls_stand_in {
        snippet = replace_directive(
            &snippet,
            SNIPPET,
            |w| w == ["proxy_set_header", "X-Forwarded-Proto", "$scheme;"],
            "proxy_set_header X-Forwarded-Proto https;",
        );
    }
    if proxy.buffering_on {
        snippet = replace_directive(
            &snippet,
            SNIPPET,
            |w| w == ["proxy_buffering", "off;"],
            "proxy_buffering on;",
        );
    }
    std::fs::create_dir_all(dir.join("snippets")).unwrap();
    std::fs::write(dir.join(SNIPPET_INCLUDED_AS), snippet).unwrap();

    let d = dir.display();
    let conf = format!(
        "# Written by server/tests/nginx_proxy.rs from {SITE} and {SNIPPET}.
worker_processes 1;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{
    worker_connections 256;
}}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;

    upstream longbox {{{upstream_body}}}

    server {{
        listen {listen};
        server_name localhost;
{server_body}    }}
}}
"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
}

/// The top-level `head { body }` blocks of an nginx file (comments and quotes skipped).
fn top_level_blocks(text: &str) -> Vec<(String, String)> {
    let (mut out, mut depth, mut head, mut body_start) = (Vec::new(), 0usize, String::new(), 0);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' | '\'' => while chars.next().is_some_and(|(_, q)| q != c) {},
            '{' => {
                if depth == 0 {
                    body_start = i + 1;
                }
                depth += 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    out.push((head.trim().to_string(), text[body_start..i].to_string()));
                    head.clear();
                }
            }
            ';' if depth == 0 => head.clear(),
            c if depth == 0 => head.push(c),
            _ => {}
        }
    }
    out
}

/// `text` with the one directive line whose words satisfy `is_it` replaced by `with`.
fn replace_directive(
    text: &str,
    file: &str,
    is_it: impl Fn(&[&str]) -> bool,
    with: &str,
) -> String {
    let mut hits = 0;
    let out = text
        .lines()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            if !words.is_empty() && !words[0].starts_with('#') && is_it(&words) {
                hits += 1;
                format!("{with}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert_eq!(hits, 1, "expected one line in {file} to become `{with}`");
    out
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Accounts off, as the proxy-only checks need no login (the flag exists for loopback use).
fn no_auth(config: &mut longbox::Config) {
    config.no_auth = true;
}

/// `fut`, or a failure naming `what` after [`PATIENCE`] (a guard against hanging, e.g. on a
/// proxy that holds a response back; not a timing assertion).
async fn guard<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {PATIENCE:?}"))
}

/// Publishes a notification with `POST /api/events/broadcast` at `base`; its event id.
async fn broadcast(http: &reqwest::Client, base: &str, message: &str) -> u64 {
    let body = json!({"type": "notification", "data": {"level": "info", "message": message}});
    let resp = post(
        http,
        &format!("{base}{}", paths::EVENTS_BROADCAST),
        &body,
        &[],
    )
    .await;
    assert_eq!(resp.status(), 202, "broadcast of {message:?}");
    guard("broadcast answer", resp.json::<Value>())
        .await
        .unwrap()["event_id"]
        .as_u64()
        .unwrap()
}

/// POSTs `body` as JSON to `url` with extra `headers`; the response (head read).
async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = http.post(url).json(body);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    guard(&format!("POST {url}"), req.send()).await.unwrap()
}

/// Opens the stream at `url` and reads its `connected` event.
async fn open_via(url: &str, last_event_id: Option<&str>) -> (SseClient, Frame) {
    let mut client = guard(
        &format!("response head of {url}"),
        SseClient::connect(url, last_event_id),
    )
    .await;
    assert_eq!(client.status, 200, "stream through nginx");
    assert_eq!(
        client.headers["content-type"], "text/event-stream",
        "nginx passes the stream's type"
    );
    let first = client.next_event().await.expect("connected event");
    assert_eq!(first.kind(), "connected");
    (client, first)
}

// ---------------------------------------------------------------------------------------------
// The deploy files themselves

#[test]
fn the_deploy_read_timeout_outlasts_the_default_heartbeat_with_room() {
    let heartbeat = longbox::config::Cli::parse_from(["longbox"])
        .serve
        .heartbeat_secs;
    let snippet = repo_file(SNIPPET);
    let value = snippet
        .lines()
        .find_map(|l| l.trim().strip_prefix("proxy_read_timeout "))
        .unwrap_or_else(|| panic!("{SNIPPET} sets no proxy_read_timeout"))
        .trim_end_matches(';');
    let secs: u64 = match value.strip_suffix('m') {
        Some(minutes) => minutes.parse::<u64>().unwrap() * 60,
        None => value.trim_end_matches('s').parse().unwrap(),
    };
    assert!(
        secs >= 3 * heartbeat,
        "proxy_read_timeout {value} in {SNIPPET} should be several --heartbeat-secs ({heartbeat})"
    );
}

// ---------------------------------------------------------------------------------------------
// 1. Unbuffered

#[tokio::test]
async fn events_arrive_through_nginx_within_a_second() {
    let server = TestServer::start(no_auth).await;
    server.scanned().await;
    let nginx = Nginx::start(server.addr, Proxy::default()).await;
    let (mut client, _) = open_via(&nginx.url(NOTES), None).await;
    let http = reqwest::Client::new();
    for i in 0..3 {
        let message = format!("unbuffered {i}");
        let published = Instant::now();
        let id = broadcast(&http, &nginx.url(""), &message).await;
        let left = Duration::from_secs(1).saturating_sub(published.elapsed());
        let got = tokio::time::timeout(left, client.next_event())
            .await
            .unwrap_or_else(|_| panic!("{message:?} not through nginx within 1 s: buffered?"))
            .expect("stream still open");
        assert_eq!((got.id_u64(), message_of(&got)), (id, message));
    }
    drop(nginx);
    server.shutdown().await;
}

#[tokio::test]
async fn longboxs_x_accel_buffering_header_alone_keeps_the_stream_unbuffered() {
    let server = TestServer::start(no_auth).await;
    server.scanned().await;
    let buffering = Proxy {
        buffering_on: true,
        ..Proxy::default()
    };
    let nginx = Nginx::start(server.addr, buffering).await;
    let (mut client, _) = open_via(&nginx.url(NOTES), None).await;
    let published = Instant::now();
    let id = broadcast(&reqwest::Client::new(), &nginx.url(""), "header only").await;
    let left = Duration::from_secs(1).saturating_sub(published.elapsed());
    let got = tokio::time::timeout(left, client.next_event())
        .await
        .expect("X-Accel-Buffering: no should unbuffer the stream within 1 s")
        .expect("stream still open");
    assert_eq!(got.id_u64(), id);
    drop(nginx);
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// 2. Heartbeats against proxy_read_timeout

/// nginx's read timeout in checks 2 (the deploy file's is far longer).
const SHORT_READ_TIMEOUT: u64 = 3;

#[tokio::test]
async fn heartbeats_keep_a_stream_open_past_nginxs_read_timeout() {
    let server = TestServer::start(|c| {
        no_auth(c);
        c.heartbeat_secs = 1;
    })
    .await;
    server.scanned().await;
    let short = Proxy {
        read_timeout_secs: Some(SHORT_READ_TIMEOUT),
        ..Proxy::default()
    };
    let nginx = Nginx::start(server.addr, short).await;
    let (mut client, _) = open_via(&nginx.url(NOTES), None).await;

    let until = Instant::now() + Duration::from_secs(2 * SHORT_READ_TIMEOUT + 1);
    let mut heartbeats = 0;
    while Instant::now() < until {
        let frame = client
            .next_frame()
            .await
            .expect("the stream stays open through nginx");
        heartbeats += usize::from(frame.comment.as_deref() == Some("heartbeat"));
    }
    assert!(heartbeats > 0, "heartbeats pass through nginx");
    let id = broadcast(&reqwest::Client::new(), &nginx.url(""), "still here").await;
    let got = client.next_event().await.expect("stream still open");
    assert_eq!(
        (got.id_u64(), message_of(&got)),
        (id, "still here".to_string())
    );
    drop(nginx);
    server.shutdown().await;
}

/// The control of the test above: without heartbeats, the shortened timeout does cut the
/// stream, so that test's nginx really has it.
#[tokio::test]
async fn without_heartbeats_nginx_cuts_the_stream_at_its_read_timeout() {
    let server = TestServer::start(|c| {
        no_auth(c);
        c.heartbeat_secs = 3600;
    })
    .await;
    server.scanned().await;
    let short = Proxy {
        read_timeout_secs: Some(SHORT_READ_TIMEOUT),
        ..Proxy::default()
    };
    let nginx = Nginx::start(server.addr, short).await;
    let (mut client, _) = open_via(&nginx.url(NOTES), None).await;
    // `next_frame` fails the test if nothing at all happens within PATIENCE (10 s > 3 s).
    while let Some(frame) = client.next_frame().await {
        assert_eq!(frame.data, None, "no event is published here: {frame:?}");
    }
    drop(nginx);
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// 3. Reconnect with Last-Event-ID

#[tokio::test]
async fn reconnecting_through_nginx_resumes_from_last_event_id() {
    let server = TestServer::start(no_auth).await;
    server.scanned().await;
    let nginx = Nginx::start(server.addr, Proxy::default()).await;
    let (http, base) = (reqwest::Client::new(), nginx.url(""));

    let (mut first, _) = open_via(&nginx.url(NOTES), None).await;
    for i in 0..3 {
        broadcast(&http, &base, &format!("seen {i}")).await;
    }
    let seen = first.numbered(3).await;
    let seen_messages: Vec<String> = seen.iter().map(message_of).collect();
    assert_eq!(seen_messages, ["seen 0", "seen 1", "seen 2"]);
    let last = seen[2].id.clone().unwrap();
    drop(first);

    let mut missed = Vec::new();
    for i in 0..5 {
        let message = format!("missed {i}");
        missed.push((broadcast(&http, &base, &message).await, message));
    }
    let (mut again, connected) = open_via(&nginx.url(NOTES), Some(&last)).await;
    assert_eq!(
        connected.id.as_deref(),
        Some(last.as_str()),
        "Last-Event-ID reached Longbox"
    );
    let after = broadcast(&http, &base, "after").await;
    let mut got = Vec::new();
    loop {
        let f = again.next_event().await.expect("stream still open");
        assert_ne!(
            f.kind(),
            "resync",
            "nginx passed Last-Event-ID, no resync: {f:?}"
        );
        if f.id_u64() == after {
            break;
        }
        got.push((f.id_u64(), message_of(&f)));
    }
    assert_eq!(
        got, missed,
        "exactly the missed events, once each, in order"
    );
    drop(nginx);
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// 4. --trusted-proxies: client address and Secure cookie

/// The client's own address: loopback, but not nginx's (nginx reaches Longbox from 127.0.0.1),
/// and not in `--trusted-proxies 127.0.0.1/32,::1/128`.
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
/// What the client claims to be, which nobody should believe.
const SPOOFED: &str = "203.0.113.9";

/// The `name=value` of the first `Set-Cookie`, and whether it is `Secure`.
fn session_cookie(resp: &reqwest::Response) -> (String, bool) {
    let set = resp
        .headers()
        .get("set-cookie")
        .unwrap_or_else(|| panic!("a session cookie from {}", resp.url()))
        .to_str()
        .unwrap();
    let mut parts = set.split(';').map(str::trim);
    let pair = parts.next().unwrap().to_string();
    (pair, parts.any(|a| a.eq_ignore_ascii_case("secure")))
}

/// A stream opened with extra headers (cookie, `X-Forwarded-For`), read up to `connected`.
async fn open_with(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
) -> futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>> {
    let mut req = http.get(url);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = guard(&format!("response head of {url}"), req.send())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "stream at {url}");
    let mut body = resp.bytes_stream().boxed();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("\"connected\"") {
        let chunk = guard("connected event", body.next())
            .await
            .expect("stream open")
            .unwrap();
        seen.extend_from_slice(&chunk);
    }
    body
}

/// The IP of the open stream whose `User-Agent` is `agent`, as `GET /api/events/status` at
/// `base` reports it (an address with or without a port).
async fn reported_ip(http: &reqwest::Client, base: &str, cookie: &str, agent: &str) -> IpAddr {
    let url = format!("{base}{}", paths::EVENTS_STATUS);
    let resp = guard(&url, http.get(&url).header("cookie", cookie).send())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "events status");
    let rows: Vec<app::api::ConnectionStatus> = guard(&url, resp.json()).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.user_agent.as_deref() == Some(agent))
        .unwrap_or_else(|| panic!("no stream with User-Agent {agent} in {rows:?}"));
    let addr = row.remote_addr.as_deref().expect("a remote address");
    addr.parse::<SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| addr.parse::<IpAddr>())
        .unwrap_or_else(|_| panic!("remote address {addr:?}"))
}

// Needs the accounts work (`/api/auth/*`, sessions, the gate honouring
// `Config::trusted_proxies`).
#[tokio::test]
async fn trusted_proxies_give_the_client_address_and_a_secure_cookie() {
    let server = TestServer::start(|c| {
        c.no_auth = false;
        c.trusted_proxies = ["127.0.0.1/32", "::1/128"]
            .iter()
            .map(|cidr| cidr.parse().unwrap())
            .collect();
    })
    .await;
    server.scanned().await;
    // nginx as if it terminated TLS: `X-Forwarded-Proto https`.
    let tls = Proxy {
        tls_stand_in: true,
        ..Proxy::default()
    };
    let nginx = Nginx::start(server.addr, tls).await;
    let (via, direct) = (nginx.url(""), server.url(""));
    let http = reqwest::Client::builder()
        .local_address(IpAddr::V4(CLIENT_IP))
        .build()
        .unwrap();
    let admin = json!({"username": "admin", "password": "correct horse battery"});

    let setup = post(&http, &format!("{via}{}", paths::AUTH_SETUP), &admin, &[]).await;
    assert_eq!(setup.status(), 201, "first admin created through nginx");
    assert!(
        session_cookie(&setup).1,
        "HTTPS via a trusted proxy: Secure cookie"
    );

    let login = post(&http, &format!("{via}{}", paths::AUTH_LOGIN), &admin, &[]).await;
    assert!(
        login.status().is_success(),
        "login through nginx: {}",
        login.status()
    );
    let (cookie, secure) = session_cookie(&login);
    assert!(
        secure,
        "login over HTTPS via a trusted proxy: Secure cookie"
    );

    // Through nginx with a spoofed X-Forwarded-For: nginx appends the client's address, and
    // the rightmost untrusted address is the client, not the spoof and not nginx.
    let _via_nginx = open_with(
        &http,
        &format!("{via}{NOTES}"),
        &[
            ("cookie", &cookie),
            ("x-forwarded-for", SPOOFED),
            ("user-agent", "via-nginx"),
        ],
    )
    .await;
    assert_eq!(
        reported_ip(&http, &via, &cookie, "via-nginx").await,
        IpAddr::V4(CLIENT_IP),
        "the address nginx forwarded"
    );

    // Straight to Longbox from an untrusted peer: its forwarding headers change nothing.
    let _direct = open_with(
        &http,
        &format!("{direct}{NOTES}"),
        &[
            ("cookie", &cookie),
            ("x-forwarded-for", SPOOFED),
            ("user-agent", "direct"),
        ],
    )
    .await;
    assert_eq!(
        reported_ip(&http, &direct, &cookie, "direct").await,
        IpAddr::V4(CLIENT_IP),
        "X-Forwarded-For from an untrusted peer is ignored"
    );
    let spoofed_https = post(
        &http,
        &format!("{direct}{}", paths::AUTH_LOGIN),
        &admin,
        &[("x-forwarded-proto", "https")],
    )
    .await;
    assert!(
        spoofed_https.status().is_success(),
        "direct login: {}",
        spoofed_https.status()
    );
    assert!(
        !session_cookie(&spoofed_https).1,
        "X-Forwarded-Proto from an untrusted peer is ignored: plain HTTP, no Secure"
    );
    drop(nginx);
    server.shutdown().await;
}
