//! `sse-load`: a load generator for the event hub. It starts the release `longbox` as a child
//! process on a temporary demo library, opens many SSE connections over loopback, publishes
//! through `POST /api/events/broadcast`, and reports:
//!
//! - deliveries per second at saturation, with more and more concurrent publishers (and
//!   whether any client was dropped);
//! - publish→receive latency p50/p99/p99.9 at a fixed publish rate;
//! - server RSS per idle connection, and RSS after every client left.
//!
//! Usage: `sse-load [--clients N] [--idle-clients N] [--seconds S] [--latency-rate R]
//! [--server PATH] [--phases throughput,latency,memory]`. Every loop is bounded in count and time; traffic stays on 127.0.0.1.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Args {
    clients: usize,
    idle_clients: usize,
    seconds: u64,
    latency_rate: u64,
    server: PathBuf,
    /// Which of `throughput`, `latency`, `memory` to run.
    phases: Vec<String>,
}

fn parse_args() -> Args {
    let mut a = Args {
        clients: 1000,
        idle_clients: 10_000,
        seconds: 5,
        latency_rate: 100,
        phases: vec!["throughput".into(), "latency".into(), "memory".into()],
        server: std::env::current_exe()
            .expect("own path")
            .with_file_name("longbox"),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_default();
        match pair[0].as_str() {
            "--clients" => a.clients = value.parse().expect("--clients N"),
            "--idle-clients" => a.idle_clients = value.parse().expect("--idle-clients N"),
            "--seconds" => a.seconds = value.parse().expect("--seconds S"),
            "--latency-rate" => a.latency_rate = value.parse().expect("--latency-rate R"),
            "--server" => a.server = PathBuf::from(value),
            "--phases" => a.phases = value.split(',').map(str::to_string).collect(),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// `Authorization: Bearer <key>\r\n` for every request, when the server has accounts (an
/// admin key made by [`authenticate`]); empty for builds from before accounts.
static AUTH: OnceLock<String> = OnceLock::new();

fn auth() -> &'static str {
    AUTH.get().map_or("", String::as_str)
}

/// One request on a fresh connection; the status, the head and the body.
async fn exchange(addr: SocketAddr, request: String) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// Creates the first admin and an admin API key, so every stream and publish is authenticated
/// as a real deployment's would be. A build without accounts answers 404 and is measured as is.
async fn authenticate(addr: SocketAddr) {
    let post = |path: &str, extra: &str, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost\r\n{extra}\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let credentials = r#"{"username":"load","password":"load generator password"}"#;
    let (status, head, _) = exchange(addr, post("/api/auth/setup", "", credentials)).await;
    if status == 404 {
        println!("accounts: none in this build (streams are anonymous)");
        return;
    }
    assert_eq!(status, 201, "setup: {head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let (status, _, body) = exchange(
        addr,
        post(
            "/api/keys",
            &format!("Cookie: {cookie}\r\n"),
            r#"{"name":"sse-load","role":"admin"}"#,
        ),
    )
    .await;
    assert_eq!(status, 201, "key: {body}");
    let key: serde_json::Value = serde_json::from_str(&body).unwrap();
    let key = key["key"].as_str().unwrap();
    AUTH.set(format!("Authorization: Bearer {key}\r\n"))
        .unwrap();
    println!("accounts: streams and publishes authenticated with an API key");
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// One HTTP/1.1 keep-alive connection for publishing.
struct Publisher {
    reader: BufReader<TcpStream>,
}

impl Publisher {
    async fn connect(addr: SocketAddr) -> Self {
        Self {
            reader: BufReader::new(TcpStream::connect(addr).await.expect("connect")),
        }
    }

    async fn publish(&mut self, message: &str) {
        let body =
            format!(r#"{{"type":"notification","data":{{"level":"info","message":"{message}"}}}}"#);
        let req = format!(
            "POST /api/events/broadcast HTTP/1.1\r\nHost: localhost\r\n{}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            auth(),
            body.len()
        );
        self.reader
            .get_mut()
            .write_all(req.as_bytes())
            .await
            .expect("publish");
        let mut len = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).await.expect("response");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; len];
        self.reader
            .read_exact(&mut body)
            .await
            .expect("response body");
    }
}

async fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{}Connection: close\r\n\r\n",
        auth()
    );
    let (_, _, body) = exchange(addr, request).await;
    serde_json::from_str(&body).unwrap_or_default()
}

/// Opens an SSE stream and counts notification frames; with `latencies`, parses `t=<ns>`.
async fn sse_client(
    addr: SocketAddr,
    received: Arc<AtomicU64>,
    latencies: Option<Arc<Mutex<Vec<u64>>>>,
    stop: tokio_util::sync::CancellationToken,
) {
    let Ok(mut s) = TcpStream::connect(addr).await else {
        return;
    };
    let req = format!(
        "GET /api/events/stream?subscribe=notification HTTP/1.1\r\nHost: localhost\r\n{}\r\n",
        auth()
    );
    if s.write_all(req.as_bytes()).await.is_err() {
        return;
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut local = Vec::new();
    let finder = memchr::memmem::Finder::new(b"\"message\":\"");
    loop {
        let n = tokio::select! {
            _ = stop.cancelled() => break,
            r = s.read(&mut buf) => match r { Ok(0) | Err(_) => break, Ok(n) => n },
        };
        let chunk = &buf[..n];
        let now = now_ns();
        let mut count = 0;
        let mut i = 0;
        while let Some(pos) = finder.find(&chunk[i..]) {
            let start = i + pos + 11;
            count += 1;
            if latencies.is_some() {
                if let Some(t) = chunk[start..].strip_prefix(b"t=") {
                    let digits: Vec<u8> = t
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .copied()
                        .collect();
                    if let Ok(sent) = std::str::from_utf8(&digits).unwrap_or("").parse::<u64>() {
                        local.push(now.saturating_sub(sent));
                    }
                }
            }
            i = start;
        }
        received.fetch_add(count, Ordering::Relaxed);
    }
    if let Some(l) = latencies {
        l.lock().unwrap().extend(local);
    }
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx] as f64 / 1e6
}

async fn open_clients(
    addr: SocketAddr,
    n: usize,
    received: &Arc<AtomicU64>,
    latencies: Option<Arc<Mutex<Vec<u64>>>>,
    stop: &tokio_util::sync::CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        handles.push(tokio::spawn(sse_client(
            addr,
            received.clone(),
            latencies.clone(),
            stop.clone(),
        )));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while get_json(addr, "/api/events/stats").await["active_clients"]
        .as_u64()
        .unwrap_or(0)
        < n as u64
    {
        assert!(Instant::now() < deadline, "clients did not all connect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handles
}

async fn close_clients(
    addr: SocketAddr,
    stop: tokio_util::sync::CancellationToken,
    handles: Vec<tokio::task::JoinHandle<()>>,
) {
    stop.cancel();
    for h in handles {
        let _ = h.await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while get_json(addr, "/api/events/stats").await["active_clients"]
        .as_u64()
        .unwrap_or(1)
        > 0
        && Instant::now() < deadline
    {
        // The server notices a closed socket on its next write.
        Publisher::connect(addr).await.publish("probe").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let fds = longbox::server::raise_fd_limit();
    println!("open-files limit: {fds}");
    let work = tempfile_dir();
    let library = work.join("library");
    std::fs::create_dir_all(&library).unwrap();
    longbox::demo::write_demo_library(&library).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = std::process::Command::new(&args.server)
        .args([
            "--library",
            library.to_str().unwrap(),
            "--data-dir",
            work.join("data").to_str().unwrap(),
        ])
        .args(["--addr", &addr.to_string()])
        .env("RUST_LOG", "error")
        // Every generated connection comes from 127.0.0.1: lift the per-address cap (through the
        // environment, which older builds ignore, so they can be measured the same way).
        .env("LONGBOX_MAX_CONNECTIONS_PER_IP", "1000000")
        .env("LONGBOX_MAX_CONNECTIONS", "1000000")
        .spawn()
        .expect("start longbox (build it with `cargo build --release`)");
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    authenticate(addr).await;

    // 1. Throughput at saturation: P publishers, each publishing again as soon as the previous
    // publish is answered, for S seconds; more publishers until deliveries stop rising.
    if args.phases.iter().any(|p| p == "throughput") {
        throughput(&args, addr).await;
    }
    if args.phases.iter().any(|p| p == "latency") {
        latency(&args, addr).await;
    }
    if args.phases.iter().any(|p| p == "memory") {
        memory(&args, addr, pid).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&work);
}

async fn throughput(args: &Args, addr: SocketAddr) {
    println!(
        "\n## throughput at saturation, {} clients, {} s per step",
        args.clients, args.seconds
    );
    println!("| concurrent publishers | events published/s | deliveries/s | dropped clients |");
    println!("| --- | --- | --- | --- |");
    for publishers in [1usize, 2, 4, 6, 7, 8, 10, 12, 16] {
        let received = Arc::new(AtomicU64::new(0));
        let stop = tokio_util::sync::CancellationToken::new();
        let handles = open_clients(addr, args.clients, &received, None, &stop).await;
        let dropped_before = get_json(addr, "/api/events/stats").await["dropped_clients"]
            .as_u64()
            .unwrap_or(0);
        received.store(0, Ordering::Relaxed);
        let published = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let deadline = start + Duration::from_secs(args.seconds);
        let mut tasks = Vec::new();
        for p in 0..publishers {
            let published = published.clone();
            tasks.push(tokio::spawn(async move {
                let mut publisher = Publisher::connect(addr).await;
                let mut i = 0u64;
                while Instant::now() < deadline {
                    publisher.publish(&format!("p{p}x{i}")).await;
                    published.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            }));
        }
        for t in tasks {
            t.await.expect("publisher");
        }
        let total = published.load(Ordering::Relaxed);
        let publish_secs = start.elapsed().as_secs_f64();
        // Let the last events drain (bounded).
        let drain = Instant::now() + Duration::from_secs(10);
        while received.load(Ordering::Relaxed) < total * args.clients as u64
            && Instant::now() < drain
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let elapsed = start.elapsed().as_secs_f64();
        let got = received.load(Ordering::Relaxed);
        let dropped = get_json(addr, "/api/events/stats").await["dropped_clients"]
            .as_u64()
            .unwrap_or(0)
            - dropped_before;
        println!(
            "| {publishers} | {:.0} | {:.0} | {dropped} |",
            total as f64 / publish_secs,
            got as f64 / elapsed
        );
        close_clients(addr, stop, handles).await;
        if dropped > 0 {
            break;
        }
    }
}

async fn latency(args: &Args, addr: SocketAddr) {
    println!(
        "\n## latency, {} clients × {} events/s for {} s",
        args.clients, args.latency_rate, args.seconds
    );
    let received = Arc::new(AtomicU64::new(0));
    let lat = Arc::new(Mutex::new(Vec::new()));
    let stop = tokio_util::sync::CancellationToken::new();
    let handles = open_clients(addr, args.clients, &received, Some(lat.clone()), &stop).await;
    let mut publisher = Publisher::connect(addr).await;
    let total = args.latency_rate * args.seconds;
    let start = Instant::now();
    for i in 0..total {
        let due = start + Duration::from_nanos(i * 1_000_000_000 / args.latency_rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        publisher.publish(&format!("t={}", now_ns())).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    close_clients(addr, stop, handles).await;
    let mut samples = std::mem::take(&mut *lat.lock().unwrap());
    samples.sort_unstable();
    println!("| samples | p50 ms | p99 ms | p99.9 ms | max ms |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| {} | {:.3} | {:.3} | {:.3} | {:.3} |",
        samples.len(),
        pct(&samples, 0.5),
        pct(&samples, 0.99),
        pct(&samples, 0.999),
        pct(&samples, 1.0)
    );
}

async fn memory(args: &Args, addr: SocketAddr, pid: u32) {
    println!("\n## memory, {} idle clients", args.idle_clients);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = rss_kib(pid);
    let received = Arc::new(AtomicU64::new(0));
    let stop = tokio_util::sync::CancellationToken::new();
    let handles = open_clients(addr, args.idle_clients, &received, None, &stop).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let loaded = rss_kib(pid);
    close_clients(addr, stop, handles).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid);
    println!("| baseline RSS KiB | with clients KiB | per connection KiB | after leave KiB | after / baseline |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| {baseline} | {loaded} | {:.2} | {after} | {:.1} % |",
        (loaded.saturating_sub(baseline)) as f64 / args.idle_clients as f64,
        after as f64 * 100.0 / baseline.max(1) as f64
    );
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sse-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
