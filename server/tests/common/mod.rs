//! Test harness: a real `longbox` server on 127.0.0.1 and a real SSE client over HTTP.
#![allow(dead_code)]

use bytes::BytesMut;
use futures::StreamExt;
use longbox::{AppState, Config, Server};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should come at once, before failing (not a timing
/// assertion: only a guard against hanging forever).
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A running server with its own temp library and data dir.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub stop: CancellationToken,
    pub task: JoinHandle<anyhow::Result<()>>,
    pub library: PathBuf,
    pub data_dir: PathBuf,
    _dirs: Option<(tempfile::TempDir, tempfile::TempDir)>,
}

impl TestServer {
    /// A server on a fresh demo library, configured by `tweak`.
    pub async fn start(tweak: impl FnOnce(&mut Config)) -> Self {
        let library = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        longbox::demo::write_demo_library(library.path()).unwrap();
        let mut config = Config::new(library.path().to_path_buf(), data.path().to_path_buf());
        // Accounts are off unless a test turns them on (auth_api does).
        config.no_auth = true;
        tweak(&mut config);
        let mut server = Self::start_with(config).await;
        server._dirs = Some((library, data));
        server
    }

    /// A server on the given configuration (folders owned by the caller).
    pub async fn start_with(config: Config) -> Self {
        let library = config.library.clone();
        let data_dir = config.data_dir.clone();
        let server = Server::bind(config).await.expect("bind");
        let addr = server.addr();
        let state = server.state();
        let stop = CancellationToken::new();
        let task = tokio::spawn(server.serve(stop.clone()));
        Self {
            addr,
            state,
            stop,
            task,
            library,
            data_dir,
            _dirs: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server and waits for it to exit.
    pub async fn shutdown(self) -> Option<(tempfile::TempDir, tempfile::TempDir)> {
        self.stop.cancel();
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("server exits after stop")
            .expect("server task")
            .expect("server result");
        self._dirs
    }
}

/// One parsed SSE block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub id: Option<String>,
    pub data: Option<String>,
    pub comment: Option<String>,
    pub retry: Option<u64>,
}

impl Frame {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.data.as_deref().expect("a data frame")).expect("JSON data")
    }
    pub fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap().to_string()
    }
    pub fn id_u64(&self) -> u64 {
        self.id.as_deref().expect("an id").parse().unwrap()
    }
}

/// A streaming SSE client over a real HTTP connection.
pub struct SseClient {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: BytesMut,
}

impl SseClient {
    pub async fn connect(url: &str, last_event_id: Option<&str>) -> Self {
        let headers: Vec<(&str, &str)> = last_event_id
            .map(|id| vec![("last-event-id", id)])
            .unwrap_or_default();
        Self::connect_with(url, &headers).await
    }

    /// Connects with extra request headers (a cookie, an API key, ...).
    pub async fn connect_with(url: &str, headers: &[(&str, &str)]) -> Self {
        let client = reqwest::Client::new();
        let mut req = client.get(url).header("user-agent", "longbox-tests/1");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req.send().await.expect("connect");
        Self {
            status: resp.status(),
            headers: resp.headers().clone(),
            stream: resp.bytes_stream().boxed(),
            buf: BytesMut::new(),
        }
    }

    /// The next block, or `None` when the server closed the stream.
    pub async fn next_frame(&mut self) -> Option<Frame> {
        tokio::time::timeout(PATIENCE, self.next_frame_inner())
            .await
            .expect("a frame arrives in time")
    }

    async fn next_frame_inner(&mut self) -> Option<Frame> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block = self.buf.split_to(pos + 2);
                return Some(parse_block(std::str::from_utf8(&block[..pos]).unwrap()));
            }
            match self.stream.next().await {
                Some(Ok(bytes)) => self.buf.extend_from_slice(&bytes),
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// The next frame that carries data (skips `retry:` and comments).
    pub async fn next_event(&mut self) -> Option<Frame> {
        loop {
            let f = self.next_frame().await?;
            if f.data.is_some() {
                return Some(f);
            }
        }
    }

    /// Reads events until one's JSON satisfies `pred`; returns that JSON.
    pub async fn until(&mut self, pred: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        loop {
            let json = self.next_event().await.expect("stream still open").json();
            if pred(&json) {
                return json;
            }
        }
    }

    /// Reads data frames until `n` numbered hub events have arrived (`connected`, which carries
    /// the id to resume from, is not one).
    pub async fn numbered(&mut self, n: usize) -> Vec<Frame> {
        let mut out = Vec::new();
        while out.len() < n {
            let f = self.next_event().await.expect("stream still open");
            if f.id.is_some() && f.kind() != "connected" {
                out.push(f);
            }
        }
        out
    }
}

fn parse_block(block: &str) -> Frame {
    let mut f = Frame::default();
    for line in block.lines() {
        if let Some(c) = line.strip_prefix(':') {
            f.comment = Some(c.trim().to_string());
        } else if let Some(v) = line.strip_prefix("id: ") {
            f.id = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("data: ") {
            f.data = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("retry: ") {
            f.retry = v.parse().ok();
        } else {
            panic!("unexpected SSE line {line:?}");
        }
    }
    f
}

/// A `notification` event with the given message.
pub fn note(message: impl Into<String>) -> app::events::Event {
    app::events::Event::Notification(app::events::Notification {
        level: app::events::NotificationLevel::Info,
        message: message.into(),
    })
}

/// The `message` of a `notification` frame.
pub fn message_of(f: &Frame) -> String {
    f.json()["data"]["message"].as_str().unwrap().to_string()
}

/// Polls `check` every 20 ms until it yields `Some`, failing after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// GET a JSON document.
/// Sends `body` as JSON with `method` to `path` on `server`; the status and the JSON answer
/// (`Null` when there is none).
pub async fn send_json(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .request(method, server.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

pub async fn get_json(url: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::get(url).await.expect("GET");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// A GET sent byte for byte over TCP, so no client library normalises the path first.
pub async fn raw_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

impl TestServer {
    /// Waits for the start-up scan to be committed.
    pub async fn scanned(&self) {
        let library = self.state.library.clone();
        eventually("the first scan", || {
            let l = library.clone();
            async move { l.last_scan().map(|_| ()) }
        })
        .await;
    }

    /// Waits for the first scan and until the cover generator has made every cover, so it
    /// publishes nothing more (for tests that count event ids).
    pub async fn covers_settled(&self) {
        self.scanned().await;
        let store = self.state.library.store().clone();
        eventually("every cover made", || {
            let store = store.clone();
            async move { store.covers().missing().unwrap().is_empty().then_some(()) }
        })
        .await;
        // The run's last `covers_progress` follows its last cover.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// Every listed path, sorted.
    pub async fn listed(&self) -> Vec<String> {
        let (_, page) = get_json(&self.url("/api/files?per_page=500")).await;
        let mut paths: Vec<String> = page["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths
    }

    /// Waits until `path` is listed (or, with `present = false`, no longer listed).
    pub async fn wait_listed(&self, path: &str, present: bool) {
        eventually(&format!("{path} listed = {present}"), || async {
            (self.listed().await.iter().any(|p| p == path) == present).then_some(())
        })
        .await;
    }
}

/// A library and data dir that outlive server restarts.
pub struct Dirs {
    pub library: tempfile::TempDir,
    pub data: tempfile::TempDir,
}

impl Dirs {
    /// Fresh folders with the demo library written in.
    pub fn demo() -> Self {
        let dirs = Self::empty();
        longbox::demo::write_demo_library(dirs.library.path()).unwrap();
        dirs
    }

    /// Fresh, empty folders.
    pub fn empty() -> Self {
        Self {
            library: tempfile::tempdir().unwrap(),
            data: tempfile::tempdir().unwrap(),
        }
    }

    /// A default configuration on these folders.
    pub fn config(&self) -> Config {
        let mut config = Config::new(
            self.library.path().canonicalize().unwrap(),
            self.data.path().into(),
        );
        config.no_auth = true;
        config
    }
}

impl SseClient {
    /// Connects to `path` on `server` and reads its `connected` event.
    pub async fn open(server: &TestServer, path: &str) -> Self {
        let mut client = Self::connect(&server.url(path), None).await;
        let first = client.next_event().await.expect("connected event");
        assert_eq!(first.kind(), "connected");
        client
    }
}
