//! Memory and connection figures under hostile input, against a real server on 127.0.0.1 in this
//! process (RSS is this process's):
//!
//! 1. peak RSS over idle while a `process` job handles a 1 MiB-ish `.cbz` whose ComicInfo.xml
//!    inflates to 1 GiB, beside 20 normal files (peak reset through `/proc/self/clear_refs`);
//! 2. RSS growth after 3,000 manual broadcasts of 20 KB each (notifications, and `job_updated`
//!    for made-up job ids, which are refused);
//! 3. how long 300 connections that stall mid-head stay open, while health checks are answered.
//!
//! `cargo bench -p server --bench hostile`; under `cargo test` it runs a small smoke version.

mod common;

use common::BenchLibrary;
use longbox::{Config, Server};
use std::io::Write;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn bomb(inflated: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("001.png", deflate).unwrap();
    zip.write_all(&longbox::demo::png(4, 4, 1)).unwrap();
    zip.start_file("ComicInfo.xml", deflate).unwrap();
    zip.write_all(b"<ComicInfo><Summary>").unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..inflated / chunk.len() {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"</Summary></ComicInfo>").unwrap();
    zip.finish().unwrap().into_inner()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (inflated, broadcasts, stalled) = if full {
        (1 << 30, 3000, 300)
    } else {
        (16 << 20, 100, 20)
    };
    let bomb_bytes = bomb(inflated);
    let bomb_size = bomb_bytes.len();
    let normal = (2..=21).map(|i| {
        let cbz = longbox::demo::build_noise_cbz(8, 64 << 10, i).unwrap();
        (format!("normal {i}.cbz"), cbz)
    });
    let lib = BenchLibrary::write(
        "Bench",
        std::iter::once(("bomb 1.cbz".into(), bomb_bytes)).chain(normal),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let mut config = Config::new(lib.root.clone(), lib.data.clone());
        config.no_auth = true;
        config.head_timeout = Duration::from_secs(if full { 10 } else { 1 });
        let server = Server::bind(config).await.unwrap();
        let addr = server.addr();
        let state = server.state();
        let stop = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(server.serve(stop.clone()));
        let http = reqwest::Client::new();
        let url = |p: &str| format!("http://{addr}{p}");
        http.post(url("/api/watcher"))
            .json(&serde_json::json!({"enabled": false}))
            .send()
            .await
            .unwrap();
        while state.library.store().files().all_paths(false).unwrap().len() < 21 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // 1. The bomb beside normal files.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let idle = status_kib("VmRSS:");
        std::fs::write("/proc/self/clear_refs", "5").unwrap();
        let created: serde_json::Value = http
            .post(url("/api/jobs"))
            .json(&serde_json::json!({"action": "process", "files": "all"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["job_id"].as_str().unwrap().to_string();
        let job = loop {
            let j: serde_json::Value = http
                .get(url(&format!("/api/jobs/{id}")))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if j["status"] == "completed" {
                break j;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let peak = status_kib("VmHWM:");
        assert_eq!(job["progress"]["errors"], 1, "only the bomb fails: {job}");
        assert_eq!(job["progress"]["success"], 20, "{job}");
        println!(
            "bomb ({bomb_size} B on disk, ComicInfo.xml inflating to {inflated} B) + 20 files: \
             idle RSS {idle} KiB, peak {peak} KiB, peak over idle {} KiB",
            peak.saturating_sub(idle)
        );

        // 2. Broadcast flood.
        let before = status_kib("VmRSS:");
        let payload = "x".repeat(20 * 1024);
        let (mut accepted, mut refused) = (0, 0);
        for i in 0..broadcasts {
            let body = if i % 2 == 0 {
                serde_json::json!({"type": "notification",
                    "data": {"message": payload, "level": "info"}})
            } else {
                serde_json::json!({"type": "job_updated", "data": {"job_id": format!("{i}{payload}"),
                    "status": "processing", "progress": {"processed": 0, "total": 1,
                    "success": 0, "errors": 0, "percentage": 0.0}}})
            };
            let status = http
                .post(url("/api/events/broadcast"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            match status {
                202 => accepted += 1,
                _ => refused += 1,
            }
        }
        let after = status_kib("VmRSS:");
        println!(
            "{broadcasts} broadcasts of 20 KB ({accepted} accepted, {refused} refused): RSS \
             {before} → {after} KiB, growth {} KiB",
            after.saturating_sub(before)
        );

        // 3. Stalled heads.
        let start = Instant::now();
        let mut conns = Vec::new();
        for _ in 0..stalled {
            let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            tcp.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
            conns.push(tcp);
        }
        let health = http.get(url("/api/health")).send().await.unwrap().status();
        let mut closed = 0;
        for tcp in &mut conns {
            let mut buf = Vec::new();
            if tokio::time::timeout(Duration::from_secs(60), tcp.read_to_end(&mut buf))
                .await
                .is_ok()
            {
                closed += 1;
            }
        }
        println!(
            "{stalled} stalled heads: health answered {health} meanwhile; {closed} closed by the \
             server, the last after {:.1} s",
            start.elapsed().as_secs_f64()
        );
        stop.cancel();
        let _ = task.await;
    });
}
