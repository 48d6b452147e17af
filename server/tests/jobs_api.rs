//! Processing and jobs over real HTTP, on real .cbz archives in a temp library.

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// `(name, bytes)` of every entry of a zip, in order.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut buf = Vec::new();
            e.read_to_end(&mut buf).unwrap();
            (e.name().to_string(), buf)
        })
        .collect()
}

fn pages(path: &Path) -> Vec<(String, Vec<u8>)> {
    entries(path)
        .into_iter()
        .filter(|(n, _)| n != "ComicInfo.xml")
        .collect()
}

fn comic_info(path: &Path) -> Vec<(String, String)> {
    let xml = entries(path)
        .into_iter()
        .find(|(n, _)| n == "ComicInfo.xml")
        .expect("ComicInfo.xml")
        .1;
    longbox::comic::comicinfo::parse(std::str::from_utf8(&xml).unwrap()).unwrap()
}

fn has(fields: &[(String, String)], k: &str, v: &str) -> bool {
    fields.iter().any(|(a, b)| a == k && b == v)
}

/// A .cbz of `pages` incompressible pages of `page_kib` KiB.
fn big_cbz(pages: usize, page_kib: usize, seed: u64) -> Vec<u8> {
    longbox::demo::build_noise_cbz(pages, page_kib * 1024, seed).unwrap()
}

async fn post(server: &TestServer, path: &str, body: Value) -> (u16, Value) {
    send_json(server, reqwest::Method::POST, path, body).await
}

/// Reads job events until the job finishes; returns every job_updated and file_processed.
async fn until_finished(sse: &mut SseClient, job_id: &str) -> (Vec<Value>, Vec<Value>) {
    let (mut jobs, mut files) = (Vec::new(), Vec::new());
    loop {
        let e = sse.next_event().await.expect("stream open").json();
        match e["type"].as_str().unwrap() {
            "job_updated" if e["data"]["job_id"] == job_id => {
                let done = ["completed", "failed", "cancelled"]
                    .contains(&e["data"]["status"].as_str().unwrap());
                jobs.push(e["data"].clone());
                if done {
                    return (jobs, files);
                }
            }
            "file_processed" => files.push(e["data"].clone()),
            _ => {}
        }
    }
}

const JOB_EVENTS: &str = "/api/events/stream?subscribe=job_updated,file_processed";

#[tokio::test]
async fn processing_everything_tags_renames_and_reports_every_item() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let lib = server.library.clone();
    let before_pages = pages(&lib.join("Saga/Saga #003 (2012).cbz"));
    let mut sse = SseClient::open(&server, JOB_EVENTS).await;

    let (status, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": "all"}),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["total_items"], 14);
    let id = created["job_id"].as_str().unwrap().to_string();
    let (jobs, files) = until_finished(&mut sse, &id).await;

    // queued → processing → one event per item with processed rising by one → completed.
    assert_eq!(jobs.first().unwrap()["status"], "queued");
    assert_eq!(jobs[1]["status"], "processing");
    assert_eq!(jobs[1]["progress"]["processed"], 0);
    let per_item: Vec<u64> = jobs[2..jobs.len() - 1]
        .iter()
        .map(|j| j["progress"]["processed"].as_u64().unwrap())
        .collect();
    assert_eq!(per_item, (1..=14).collect::<Vec<u64>>());
    let last = jobs.last().unwrap();
    assert_eq!(last["status"], "completed");
    assert_eq!(
        last["progress"],
        json!({"processed": 14, "total": 14, "success": 14, "errors": 0, "percentage": 100.0})
    );
    assert_eq!(files.len(), 14);
    assert!(
        files
            .iter()
            .all(|f| f["success"] == true && f["error"].is_null()),
        "{files:?}"
    );

    // Names follow the template; tags are in the archives; pages are unchanged; other fields kept.
    for expected in [
        "Batman/Batman - Chapter 0012.cbz",
        "Batman/Batman - Chapter 0014.cbz",
        "Saga/Saga - Chapter 0003.cbz",
        "Spider-Man/Spider-Man - Chapter 0007.5.cbz",
        "Batman_ Year One/Batman_ Year One - Chapter 0001.cbz",
        "One Piece/One Piece - Chapter 0002.cbz",
        "The Walking Dead/The Walking Dead - Chapter 0048.cbz",
        "Invincible/Invincible - Chapter 0005.cbz",
        "Invincible/Invincible - Chapter 0006.CBZ",
    ] {
        assert!(lib.join(expected).exists(), "{expected} exists");
    }
    assert!(!lib.join("Saga/Saga #003 (2012).cbz").exists());
    let saga = lib.join("Saga/Saga - Chapter 0003.cbz");
    assert_eq!(
        pages(&saga),
        before_pages,
        "pages copied unchanged, in order"
    );
    let info = comic_info(&saga);
    assert!(
        has(&info, "Series", "Saga")
            && has(&info, "Number", "3")
            && has(&info, "Title", "Chapter 3")
    );
    assert!(
        has(&info, "Publisher", "Demo Comics"),
        "other fields preserved: {info:?}"
    );
    let year_one = comic_info(&lib.join("Batman_ Year One/Batman_ Year One - Chapter 0001.cbz"));
    assert!(has(&year_one, "Series", "Batman: Year One"));

    // The list follows, with markers.
    let (_, page) = get_json(&server.url("/api/files?filter=processed&per_page=500")).await;
    assert_eq!(page["total_files"], 14);
    assert_eq!(page["unprocessed_count"], 0);
    let (_, history) = get_json(&server.url("/api/history?limit=100")).await;
    assert_eq!(history["total"], 14);
    let row = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["old_path"] == "Saga/Saga #003 (2012).cbz")
        .unwrap();
    assert_eq!(row["new_path"], "Saga/Saga - Chapter 0003.cbz");
    assert_eq!(row["tags"]["Title"], "Chapter 3");
    let (_, details) = get_json(&server.url(&format!("/api/jobs/{id}"))).await;
    assert_eq!(details["items"].as_array().unwrap().len(), 14);
    assert!(details["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["state"] == "done" && i["outcome"] == "success"));

    // A second run finds everything in normal form: skipped, untouched.
    let mtime = std::fs::metadata(&saga).unwrap().modified().unwrap();
    let (_, again) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": "all"}),
    )
    .await;
    let (jobs, _) = until_finished(&mut sse, again["job_id"].as_str().unwrap()).await;
    assert_eq!(jobs.last().unwrap()["progress"]["success"], 14);
    assert_eq!(
        std::fs::metadata(&saga).unwrap().modified().unwrap(),
        mtime,
        "no rewrite"
    );
    let (_, d) =
        get_json(&server.url(&format!("/api/jobs/{}", again["job_id"].as_str().unwrap()))).await;
    assert!(d["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["outcome"] == "skipped"));
    server.shutdown().await;
}

#[tokio::test]
async fn rename_and_normalize_modes_and_duplicates() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let lib = server.library.clone();
    std::fs::copy(
        lib.join("Saga/Saga #004 (2012).cbz"),
        lib.join("Saga/Saga - Chapter 0004.cbz"),
    )
    .unwrap();
    server
        .wait_listed("Saga/Saga - Chapter 0004.cbz", true)
        .await;
    let mut sse = SseClient::open(&server, JOB_EVENTS).await;

    let (_, created) = post(&server, "/api/jobs", json!({"action": "rename", "files": ["Saga/Saga #004 (2012).cbz", "Batman/Batman ch 12.cbz"]})).await;
    let (jobs, files) = until_finished(&mut sse, created["job_id"].as_str().unwrap()).await;
    let last = jobs.last().unwrap();
    assert_eq!(last["progress"]["success"], 1);
    assert_eq!(last["progress"]["errors"], 1);
    let dup = files.iter().find(|f| f["success"] == false).unwrap();
    assert!(dup["error"].as_str().unwrap().contains("already exists"));
    assert!(
        lib.join("Saga/Saga #004 (2012).cbz").exists()
            && lib.join("Saga/Saga - Chapter 0004.cbz").exists(),
        "both untouched"
    );
    let (_, d) = get_json(&server.url("/api/files/Saga/Saga%20%23004%20(2012).cbz")).await;
    assert_eq!(d["duplicate"], true);
    let renamed = lib.join("Batman/Batman - Chapter 0012.cbz");
    assert!(renamed.exists());
    assert!(
        !entries(&renamed).iter().any(|(n, _)| n == "ComicInfo.xml"),
        "rename writes no tags"
    );

    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "normalize", "files": ["Batman/Batman ch 13.cbz"]}),
    )
    .await;
    until_finished(&mut sse, created["job_id"].as_str().unwrap()).await;
    let kept = lib.join("Batman/Batman ch 13.cbz");
    assert!(kept.exists(), "normalize keeps the name");
    assert!(has(&comic_info(&kept), "Number", "13"));

    // A .cbr can be renamed but not tagged, and says so.
    std::fs::write(
        lib.join("Saga/saga no. 9.cbr"),
        b"Rar!\x1a\x07\x00 not really",
    )
    .unwrap();
    server.wait_listed("Saga/saga no. 9.cbr", true).await;
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "normalize", "files": ["Saga/saga no. 9.cbr"]}),
    )
    .await;
    let (_, files) = until_finished(&mut sse, created["job_id"].as_str().unwrap()).await;
    assert!(
        files[0]["error"].as_str().unwrap().contains("cannot")
            || files[0]["error"].as_str().unwrap().contains("not tagged")
    );
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": ["Saga/saga no. 9.cbr"]}),
    )
    .await;
    let (_, files) = until_finished(&mut sse, created["job_id"].as_str().unwrap()).await;
    assert_eq!(files[0]["success"], true);
    assert!(lib.join("Saga/Saga - Chapter 0009.cbr").exists());
    let (_, d) = get_json(&server.url(&format!(
        "/api/jobs/{}",
        created["job_id"].as_str().unwrap()
    )))
    .await;
    assert!(d["items"][0]["error"]
        .as_str()
        .unwrap()
        .contains("cannot be tagged"));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_requests_are_refused_with_reasons() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    for (body, needle) in [
        (json!({"action": "burn", "files": "all"}), "unknown action"),
        (json!({"action": "process", "files": []}), "empty"),
        (json!({"action": "process", "files": "some"}), "\"all\""),
        (
            json!({"action": "process", "files": ["../x.cbz"]}),
            "invalid path",
        ),
        (
            json!({"action": "process", "files": ["/etc/passwd"]}),
            "invalid path",
        ),
        (
            json!({"action": "process", "files": ["Saga/nope.cbz"]}),
            "no file",
        ),
        (json!({"action": "process"}), "files"),
    ] {
        let (status, resp) = post(&server, "/api/jobs", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            resp["error"].as_str().unwrap().contains(needle),
            "{body}: {resp}"
        );
    }
    let (status, _) = get_json(&server.url("/api/jobs/not-a-uuid")).await;
    assert_eq!(status, 400);
    let unknown = uuid::Uuid::new_v4();
    let (status, body) = get_json(&server.url(&format!("/api/jobs/{unknown}"))).await;
    assert_eq!(status, 404);
    assert!(body["error"].is_string());
    let (status, _) = post(&server, &format!("/api/jobs/{unknown}/cancel"), json!({})).await;
    assert_eq!(status, 404);
    let resp = reqwest::Client::new()
        .delete(server.url("/api/jobs/xyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    server.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_within_one_item_and_leaves_the_rest_untouched() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    // Auto-processing off first, so the watcher cannot rename the files before the job runs.
    let put = reqwest::Client::new()
        .put(server.url("/api/settings"))
        .json(&json!({"filename_template": "{series} - Chapter {issue}", "issue_padding": 4, "watcher_enabled": false, "parallelism": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let lib = server.library.clone();
    std::fs::create_dir(lib.join("Big")).unwrap();
    for i in 1..=40 {
        std::fs::write(lib.join(format!("Big/big {i}.cbz")), big_cbz(4, 256, i)).unwrap();
    }
    server.wait_listed("Big/big 40.cbz", true).await;
    let files: Vec<String> = (1..=40).map(|i| format!("Big/big {i}.cbz")).collect();
    let mut sse = SseClient::open(&server, JOB_EVENTS).await;
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": files}),
    )
    .await;
    let id = created["job_id"].as_str().unwrap().to_string();
    sse.until(|e| e["type"] == "file_processed").await;
    let (status, _) = post(&server, &format!("/api/jobs/{id}/cancel"), json!({})).await;
    assert_eq!(status, 202);
    let (jobs, _) = until_finished(&mut sse, &id).await;
    let last = jobs.last().unwrap();
    assert_eq!(last["status"], "cancelled");
    let done = last["progress"]["processed"].as_u64().unwrap();
    assert!(done < 40, "stopped early: {done}");
    let (_, d) = get_json(&server.url(&format!("/api/jobs/{id}"))).await;
    let items = d["items"].as_array().unwrap();
    let pending: Vec<&Value> = items.iter().filter(|i| i["state"] == "pending").collect();
    assert_eq!(pending.len() as u64, 40 - done);
    for item in pending {
        let p = lib.join(item["path"].as_str().unwrap());
        assert!(p.exists(), "not started → untouched name");
        assert!(
            !entries(&p).iter().any(|(n, _)| n == "ComicInfo.xml"),
            "not started → untouched content"
        );
    }
    let (status, _) = post(&server, &format!("/api/jobs/{id}/cancel"), json!({})).await;
    assert_eq!(status, 409, "already finished");
    let del = reqwest::Client::new()
        .delete(server.url(&format!("/api/jobs/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    let (status, _) = get_json(&server.url(&format!("/api/jobs/{id}"))).await;
    assert_eq!(status, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn an_unfinished_job_resumes_after_a_restart_from_its_first_unfinished_item() {
    let dirs = Dirs::demo();
    let (library, data) = (&dirs.library, &dirs.data);
    let config = || dirs.config();
    let first = TestServer::start_with(config()).await;
    first.scanned().await;
    // A job that was interrupted: item 0 recorded done, the rest pending, status processing.
    let store = first.state.library.store().clone();
    let id = uuid::Uuid::new_v4().to_string();
    let paths = vec![
        "Batman/Batman ch 12.cbz".to_string(),
        "Batman/Batman ch 13.cbz".to_string(),
        "Saga/Saga #004 (2012).cbz".to_string(),
    ];
    store
        .jobs()
        .create(&id, app::api::JobAction::Process, &paths, 1.0, None)
        .unwrap();
    first.shutdown().await;
    {
        let store = longbox::db::Db::open(data.path()).unwrap();
        let result = longbox::db::jobs::ItemResult {
            outcome: app::api::ItemOutcome::Success,
            new_path: paths[0].clone(),
            error: None,
        };
        store
            .jobs()
            .finish_item(&id, 0, &result, &app::events::JobProgress::new(1, 3, 1, 0))
            .unwrap();
        store
            .jobs()
            .set_status(&id, app::events::JobStatus::Processing, 2.0)
            .unwrap();
    }
    let second = TestServer::start_with(config()).await;
    let job = eventually("the job completes", || async {
        let (_, j) = get_json(&second.url(&format!("/api/jobs/{id}"))).await;
        (j["status"] == "completed").then_some(j)
    })
    .await;
    assert_eq!(job["progress"]["processed"], 3);
    assert!(
        library.path().join("Batman/Batman ch 12.cbz").exists(),
        "the finished item is not redone"
    );
    assert!(library
        .path()
        .join("Batman/Batman - Chapter 0013.cbz")
        .exists());
    assert!(library.path().join("Saga/Saga - Chapter 0004.cbz").exists());
    second.shutdown().await;
}

#[tokio::test]
async fn new_comics_are_processed_automatically_only_while_enabled() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let lib = server.library.clone();
    let mut sse = SseClient::open(&server, JOB_EVENTS).await;
    std::fs::write(
        lib.join("Saga/Saga #010 (2015).cbz"),
        longbox::demo::build_cbz(2, 3, None).unwrap(),
    )
    .unwrap();
    let processed = sse.until(|e| e["type"] == "file_processed").await;
    assert_eq!(
        processed["data"]["filepath"],
        "Saga/Saga - Chapter 0010.cbz"
    );
    server
        .wait_listed("Saga/Saga - Chapter 0010.cbz", true)
        .await;
    server.wait_listed("Saga/Saga #010 (2015).cbz", false).await;
    let (_, d) = get_json(&server.url("/api/files/Saga/Saga%20-%20Chapter%200010.cbz")).await;
    assert_eq!(d["processed"], true);
    let (_, jobs) = get_json(&server.url("/api/jobs")).await;
    assert_eq!(
        jobs.as_array().unwrap().len(),
        1,
        "its own rename did not start another job"
    );

    let (status, _) = post(&server, "/api/watcher", json!({"enabled": false})).await;
    assert_eq!(status, 200);
    std::fs::write(
        lib.join("Saga/Saga #011.cbz"),
        longbox::demo::build_cbz(2, 4, None).unwrap(),
    )
    .unwrap();
    server.wait_listed("Saga/Saga #011.cbz", true).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, jobs) = get_json(&server.url("/api/jobs")).await;
    assert_eq!(
        jobs.as_array().unwrap().len(),
        1,
        "disabled: listed but not processed"
    );
    assert!(lib.join("Saga/Saga #011.cbz").exists());
    server.shutdown().await;
}

#[tokio::test]
async fn settings_are_validated_persisted_and_used() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let (_, s) = get_json(&server.url("/api/settings")).await;
    assert_eq!(s["filename_template"], "{series} - Chapter {issue}");
    assert_eq!(s["issue_padding"], 4);
    assert_eq!(s["watcher_enabled"], true);
    let http = reqwest::Client::new();
    for bad in [
        json!({"filename_template": "{series} {nope}", "issue_padding": 4, "watcher_enabled": true, "parallelism": 2}),
        json!({"filename_template": "{series", "issue_padding": 4, "watcher_enabled": true, "parallelism": 2}),
        json!({"filename_template": "{series}", "issue_padding": 40, "watcher_enabled": true, "parallelism": 2}),
        json!({"filename_template": "{series}", "issue_padding": 4, "watcher_enabled": true, "parallelism": 0}),
        json!({"filename_template": "{series}"}),
    ] {
        let r = http
            .put(server.url("/api/settings"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.json::<Value>().await.unwrap()["error"].is_string());
    }
    let good = json!({"filename_template": "{series} #{issue} ({year})", "issue_padding": 3, "watcher_enabled": true, "parallelism": 2});
    let r = http
        .put(server.url("/api/settings"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut sse = SseClient::open(&server, JOB_EVENTS).await;
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "rename", "files": ["Saga/Saga #003 (2012).cbz"]}),
    )
    .await;
    until_finished(&mut sse, created["job_id"].as_str().unwrap()).await;
    assert!(
        server.library.join("Saga/Saga #003 (2012).cbz").exists(),
        "already in normal form for this template"
    );
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "rename", "files": ["Batman/Batman ch 12.cbz"]}),
    )
    .await;
    until_finished(&mut sse, created["job_id"].as_str().unwrap()).await;
    assert!(
        server.library.join("Batman/Batman #012.cbz").exists(),
        "empty {{year}} folds away"
    );
    let (_, s) = get_json(&server.url("/api/settings")).await;
    for (key, value) in good.as_object().unwrap() {
        assert_eq!(&s[key], value, "{key}");
    }
    server.shutdown().await;
}

#[test]
fn a_write_killed_at_any_instant_leaves_a_complete_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash 1.cbz");
    std::fs::write(&path, big_cbz(12, 1024, 7)).unwrap();
    let original = pages(&path);
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let exe = env!("CARGO_BIN_EXE_longbox");
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for round in 0..25 {
        let mut child = std::process::Command::new(exe)
            .args([
                "tag-archive",
                path.to_str().unwrap(),
                "Crash",
                &round.to_string(),
                "--data-dir",
                data_dir,
            ])
            .spawn()
            .unwrap();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::thread::sleep(Duration::from_micros(x % 60_000));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(pages(&path), original, "round {round}: pages intact");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .filter(|n| !n.starts_with(".longbox-tmp-"))
                .count()
                == 1,
            "one name: {names:?}"
        );
        // Clean-up removes exactly the recorded temp file, whatever instant the kill hit.
        let store = longbox::db::Db::open(data.path()).unwrap();
        longbox::comic::archive::remove_recorded_temp_files(&store);
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec!["crash 1.cbz".to_string()], "round {round}");
    }
    // Left alone, a write completes with the new tags.
    let status = std::process::Command::new(exe)
        .args(["tag-archive", path.to_str().unwrap(), "Crash", "99"])
        .args(["--data-dir", data_dir])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(has(&comic_info(&path), "Number", "99"));
    assert_eq!(pages(&path), original);
}

#[tokio::test]
async fn every_escaping_path_is_refused_by_the_jobs_endpoint() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.cbz"), big_cbz(1, 1, 1)).unwrap();
    std::os::unix::fs::symlink(outside.path(), server.library.join("escape")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.cbz"),
        server.library.join("Saga/link.cbz"),
    )
    .unwrap();
    for path in [
        "../x.cbz",
        "Saga/../../x.cbz",
        "..\\x.cbz",
        "Saga\\..\\..\\x.cbz",
        "/etc/passwd",
        "//etc/passwd",
        "C:/Windows/x.cbz",
        "a\u{0}b.cbz",
        "%2e%2e/x.cbz",
        "..%2Fx.cbz",
        "./Saga/x.cbz",
        "Saga//x.cbz",
        "escape/secret.cbz",
        "Saga/link.cbz",
    ] {
        let (status, resp) = post(
            &server,
            "/api/jobs",
            json!({"action": "process", "files": [path]}),
        )
        .await;
        assert_eq!(status, 400, "{path:?}: {resp}");
        assert!(
            resp["error"].as_str().unwrap().contains("invalid path"),
            "{path:?}: {resp}"
        );
    }
    assert!(
        outside.path().join("secret.cbz").exists(),
        "nothing outside was touched"
    );
    server.shutdown().await;
}
