//! Hostile and unlucky input against a real server: unsafe templates, archive bombs, made-up
//! jobs, stalled and flooding connections, and faults injected into archive writes.

mod common;

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// sha256 of every file under `dir` (hidden ones included), by content: the multiset that must
/// survive whatever Longbox renames.
fn content_hashes(dir: &Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            let hash = format!("{:x}", Sha256::digest(&bytes));
            *out.entry(hash).or_default() += 1;
        }
    }
    out
}

/// Every file name under `dir`, relative.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

/// Waits until job `id` is finished; returns it with its items.
async fn finished_job(server: &TestServer, id: &str) -> Value {
    eventually("the job finishes", || async {
        let (_, j) = get_json(&server.url(&format!("/api/jobs/{id}"))).await;
        let status = j["status"].as_str().unwrap_or("").to_string();
        ["completed", "failed", "cancelled"]
            .contains(&status.as_str())
            .then_some(j)
    })
    .await
}

async fn run_job(server: &TestServer, action: &str, files: Value) -> Value {
    let (status, created) = send_json(
        server,
        reqwest::Method::POST,
        "/api/jobs",
        json!({"action": action, "files": files}),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    finished_job(server, created["job_id"].as_str().unwrap()).await
}

#[tokio::test]
async fn hostile_templates_are_refused_and_no_comic_is_ever_lost() {
    let dirs = Dirs::demo();
    // A user's own file that merely looks like a Longbox temp file must survive clean-up.
    std::fs::write(dirs.library.path().join(".longbox-tmp-mine.cbz"), b"mine").unwrap();
    let before = content_hashes(dirs.library.path());
    let server = TestServer::start_with(dirs.config()).await;
    server.scanned().await;
    let (_, good) = get_json(&server.url("/api/settings")).await;
    for template in [
        ".longbox-tmp-{series}-{issue_no_pad}",
        ".{series} {issue}",
        " {series} {issue}",
        "{series} {issue} ",
        "../{series} {issue}",
        "{series}/{issue}",
        "{series}\\{issue}",
        "{series}..{issue}",
        "{series}\u{0}{issue}",
        "CON",
        "nul",
        "COM1",
        "LPT9",
        &"x".repeat(300),
    ] {
        let mut bad = good.clone();
        bad["filename_template"] = json!(template);
        let (status, resp) = send_json(&server, reqwest::Method::PUT, "/api/settings", bad).await;
        assert_eq!(status, 400, "{template:?} must be refused: {resp}");
        assert!(
            resp["error"]
                .as_str()
                .unwrap()
                .contains("filename_template"),
            "{template:?}: {resp}"
        );
        // Rename everything with whatever template is in force, then restart.
        let job = run_job(&server, "rename", json!("all")).await;
        assert_eq!(job["status"], "completed", "{template:?}: {job}");
    }
    let (_, s) = get_json(&server.url("/api/settings")).await;
    assert_eq!(s["filename_template"], good["filename_template"]);
    server.shutdown().await;
    let again = TestServer::start_with(dirs.config()).await;
    again.scanned().await;
    again.shutdown().await;
    assert_eq!(
        content_hashes(dirs.library.path()),
        before,
        "every file's bytes are still in the library: {:?}",
        names(dirs.library.path())
    );
    assert!(dirs.library.path().join(".longbox-tmp-mine.cbz").exists());
}

#[tokio::test]
async fn a_name_rendered_unsafe_fails_that_file_only() {
    let dirs = Dirs::empty();
    for folder in ["CON", "Saga"] {
        std::fs::create_dir(dirs.library.path().join(folder)).unwrap();
        let cbz = longbox::demo::build_cbz(2, 1, None).unwrap();
        std::fs::write(dirs.library.path().join(folder).join("x 1.cbz"), cbz).unwrap();
    }
    let before = content_hashes(dirs.library.path());
    let server = TestServer::start_with(dirs.config()).await;
    server.scanned().await;
    let (_, mut s) = get_json(&server.url("/api/settings")).await;
    s["filename_template"] = json!("{series}");
    s["watcher_enabled"] = json!(false);
    assert_eq!(
        send_json(&server, reqwest::Method::PUT, "/api/settings", s)
            .await
            .0,
        200
    );
    let job = run_job(&server, "rename", json!("all")).await;
    assert_eq!(job["progress"]["errors"], 1, "{job}");
    assert_eq!(job["progress"]["success"], 1, "{job}");
    assert!(dirs.library.path().join("Saga/Saga.cbz").exists());
    assert!(
        dirs.library.path().join("CON/x 1.cbz").exists(),
        "left as it was"
    );
    server.shutdown().await;
    assert_eq!(content_hashes(dirs.library.path()), before);
}

/// A `.cbz` with one page and a ComicInfo.xml that inflates to `inflated` bytes.
fn bomb_cbz(inflated: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("001.png", deflate).unwrap();
    zip.write_all(&longbox::demo::png(4, 4, 1)).unwrap();
    zip.start_file("ComicInfo.xml", deflate).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><ComicInfo><Summary>")
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut left = inflated;
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    zip.write_all(b"</Summary></ComicInfo>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A stored one-entry `.cbz` whose entry is marked encrypted (general purpose bit 0), in both
/// its local and central headers.
fn encrypted_cbz() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("001.png", stored).unwrap();
    zip.write_all(&longbox::demo::png(4, 4, 2)).unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
    bytes[local + 6] |= 1;
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 8] |= 1;
    bytes
}

fn nested_cbz() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("001.png", opts).unwrap();
    zip.write_all(&longbox::demo::png(4, 4, 3)).unwrap();
    zip.start_file("inner.cbz", opts).unwrap();
    zip.write_all(&longbox::demo::build_cbz(1, 1, None).unwrap())
        .unwrap();
    zip.finish().unwrap().into_inner()
}

fn crowded_cbz(entries: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..entries {
        zip.start_file(format!("{i:05}.png"), opts).unwrap();
        zip.write_all(b"x").unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn hostile_archives_fail_their_own_file_with_422_and_a_recorded_error() {
    let dirs = Dirs::empty();
    let folder = dirs.library.path().join("Hostile");
    std::fs::create_dir(&folder).unwrap();
    let limit = longbox::comic::archive::MAX_COMIC_INFO_BYTES as usize;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("bomb 1.cbz", bomb_cbz(8 * limit), "inflates to more than"),
        ("locked 2.cbz", encrypted_cbz(), "encrypted"),
        ("nested 3.cbz", nested_cbz(), "nested"),
        (
            "crowded 4.cbz",
            crowded_cbz(longbox::comic::archive::MAX_ENTRIES + 1),
            "entries",
        ),
        (
            "broken 5.cbz",
            b"PK\x03\x04 not really a zip".to_vec(),
            "not a valid",
        ),
    ];
    for (name, bytes, _) in &cases {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let fine = longbox::demo::build_cbz(3, 4, None).unwrap();
    std::fs::write(folder.join("fine 6.cbz"), &fine).unwrap();
    let mut config = dirs.config();
    config.os_watch = false;
    let server = TestServer::start_with(config).await;
    server.scanned().await;
    for (name, _, why) in &cases {
        let (status, body) = get_json(&server.url(&format!("/api/files/Hostile/{name}"))).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(why),
            "{name}: {body}"
        );
    }
    let mut sse = SseClient::open(&server, "/api/events/stream?subscribe=file_processed").await;
    let job = run_job(&server, "process", json!("all")).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["progress"]["errors"], cases.len(), "{job}");
    assert_eq!(job["progress"]["success"], 1, "{job}");
    let mut failed = Vec::new();
    while failed.len() < cases.len() {
        let e = sse.next_event().await.expect("stream open").json();
        if e["data"]["success"] == false {
            failed.push(e["data"]["filename"].as_str().unwrap().to_string());
        }
    }
    failed.sort();
    let mut want: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    want.sort();
    assert_eq!(failed, want);
    let (_, history) = get_json(&server.url("/api/history?limit=50")).await;
    let failed_in_history = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["outcome"] == "failed")
        .count();
    assert_eq!(failed_in_history, cases.len(), "{history}");
    assert!(
        folder.join("Hostile - Chapter 0006.cbz").exists(),
        "the good file was processed"
    );
    server.shutdown().await;
    // A restart (with its scan and job resume) does not trip over them.
    let again = TestServer::start_with(dirs.config()).await;
    again.scanned().await;
    let (status, _) = get_json(&again.url("/api/health")).await;
    assert_eq!(status, 200);
    for (name, bytes, _) in &cases {
        assert_eq!(
            &std::fs::read(folder.join(name)).unwrap(),
            bytes,
            "{name} untouched"
        );
    }
    again.shutdown().await;
}

#[tokio::test]
async fn job_updated_can_be_broadcast_only_for_real_jobs_and_the_hub_forgets_old_ones() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let made_up = json!({"type": "job_updated", "data": {"job_id": "nope", "status": "processing",
        "progress": {"processed": 0, "total": 1, "success": 0, "errors": 0, "percentage": 0.0}}});
    let (status, body) = send_json(
        &server,
        reqwest::Method::POST,
        "/api/events/broadcast",
        made_up,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("no job"));
    let job = run_job(&server, "rename", json!(["Saga/Saga #003 (2012).cbz"])).await;
    let real = json!({"type": "job_updated", "data": {"job_id": job["job_id"], "status": "completed",
        "progress": {"processed": 1, "total": 1, "success": 1, "errors": 0, "percentage": 100.0}}});
    let (status, body) = send_json(
        &server,
        reqwest::Method::POST,
        "/api/events/broadcast",
        real,
    )
    .await;
    assert_eq!(status, 202, "{body}");
    // Published directly, past the cap: the hub keeps at most MAX_TRACKED_JOBS, finished first out.
    let hub = &server.state.hub;
    let cap = longbox::hub::MAX_TRACKED_JOBS;
    let running = "still-running".to_string();
    let update = |id: &str, status| {
        app::events::Event::JobUpdated(app::events::JobUpdated {
            job_id: id.to_string(),
            status,
            progress: app::events::JobProgress::new(0, 1, 0, 0),
        })
    };
    hub.publish(update(&running, app::events::JobStatus::Processing));
    for i in 0..cap * 3 {
        hub.publish(update(
            &format!("done-{i}"),
            app::events::JobStatus::Completed,
        ));
    }
    assert_eq!(hub.tracked_jobs(), cap);
    let mut fresh = SseClient::open(&server, "/api/events/stream?subscribe=job_updated").await;
    let mut seen = Vec::new();
    for _ in 0..cap {
        seen.push(fresh.next_event().await.unwrap().json()["data"]["job_id"].clone());
    }
    assert!(
        seen.contains(&json!(running)),
        "an unfinished job outlives finished ones"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn stalled_heads_are_closed_while_health_checks_are_answered() {
    let server = TestServer::start(|c| {
        c.head_timeout = Duration::from_secs(1);
        c.heartbeat_secs = 1;
    })
    .await;
    let mut stalled = Vec::new();
    for _ in 0..300 {
        let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        tcp.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n")
            .await
            .unwrap();
        stalled.push(tcp);
    }
    // A stream idles past the head timeout: its heartbeats keep it open.
    let mut stream = SseClient::open(&server, "/api/events/stream").await;
    let (status, _) = get_json(&server.url("/api/health")).await;
    assert_eq!(status, 200, "health is answered while 300 heads stall");
    for tcp in &mut stalled {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a stalled connection is closed");
        let text = String::from_utf8_lossy(&buf);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains(r#"{"error":"#), "{text}");
    }
    let frame = stream
        .next_frame()
        .await
        .expect("the idle stream is still open");
    assert!(frame.comment.is_some() || frame.data.is_some());
    server.shutdown().await;
}

#[tokio::test]
async fn connection_caps_answer_429_per_address_and_503_in_total() {
    let server = TestServer::start(|c| c.max_connections_per_ip = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    let (status, body) = raw_get(server.addr, "/api/health").await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains(r#"{"error":"#), "{body}");
    drop(held);
    let (status, _) = eventually("slots are freed", || async {
        let r = raw_get(server.addr, "/api/health").await;
        (r.0 == 200).then_some(r)
    })
    .await;
    assert_eq!(status, 200);
    server.shutdown().await;

    let server = TestServer::start(|c| c.max_connections = 2).await;
    let _a = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let _b = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (status, body) = raw_get(server.addr, "/api/health").await;
    assert_eq!(status, 503, "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_fault_at_any_write_step_keeps_the_original_and_a_retry_succeeds() {
    use longbox::comic::archive::WriteStep;
    let dirs = Dirs::empty();
    std::fs::create_dir(dirs.library.path().join("Saga")).unwrap();
    let path = dirs.library.path().join("Saga/Saga - Chapter 0001.cbz");
    let original = longbox::demo::build_cbz(3, 5, None).unwrap();
    std::fs::write(&path, &original).unwrap();
    let mut config = dirs.config();
    config.os_watch = false;
    let server = TestServer::start_with(config).await;
    server.scanned().await;
    let rel = json!(["Saga/Saga - Chapter 0001.cbz"]);
    for step in [WriteStep::Write, WriteStep::Fsync, WriteStep::Rename] {
        server.state.library.set_write_fault(Some(step));
        let job = run_job(&server, "normalize", rel.clone()).await;
        assert_eq!(job["progress"]["errors"], 1, "{step:?}: {job}");
        let item = &job["items"][0];
        assert!(
            item["error"].as_str().unwrap().contains("injected fault"),
            "{step:?}: {item}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            original,
            "{step:?}: original intact"
        );
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut page = Vec::new();
        zip.by_index(0).unwrap().read_to_end(&mut page).unwrap();
        assert_eq!(
            names(dirs.library.path()),
            vec!["Saga/Saga - Chapter 0001.cbz".to_string()],
            "{step:?}: no temp file left"
        );
        use longbox::comic::archive::TempLedger;
        assert!(
            server.state.library.store().recorded().is_empty(),
            "{step:?}: ledger empty"
        );
    }
    server.state.library.set_write_fault(None);
    let job = run_job(&server, "normalize", rel).await;
    assert_eq!(job["progress"]["success"], 1, "{job}");
    assert_ne!(
        std::fs::read(&path).unwrap(),
        original,
        "tags written on retry"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408() {
    let server = TestServer::start(|c| c.body_timeout = Duration::from_secs(1)).await;
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(
        b"PUT /api/settings HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n\
          content-length: 100\r\n\r\n{\"filename",
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(PATIENCE, tcp.read(&mut buf))
        .await
        .expect("answered in time")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    server.shutdown().await;
}
