//! The library over real HTTP: a real SQLite file, real files in a temp library, the watcher.

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::Write;
use std::time::Duration;

const DEMO_COUNT: usize = 14;

fn cbz() -> Vec<u8> {
    longbox::demo::build_cbz(2, 9, None).unwrap()
}

#[tokio::test]
async fn start_up_scan_lists_the_demo_library() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let (status, page) = get_json(&server.url("/api/files")).await;
    assert_eq!(status, 200);
    assert_eq!(page["total_files"], DEMO_COUNT);
    assert_eq!(page["unprocessed_count"], DEMO_COUNT);
    assert_eq!(page["page"], 1);
    assert_eq!(page["per_page"], 50);
    assert_eq!(page["total_pages"], 1);
    let first = &page["files"][0];
    for key in [
        "path",
        "name",
        "folder",
        "size",
        "modified",
        "processed",
        "duplicate",
    ] {
        assert!(first.get(key).is_some(), "row has {key}: {first}");
    }
    assert_eq!(first["path"], "Batman/Batman ch 12.cbz");
    assert_eq!(first["folder"], "Batman");
    assert_eq!(first["name"], "Batman ch 12.cbz");
    server.shutdown().await;
}

#[tokio::test]
async fn pagination_search_filter_and_sort() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let store = server.state.library.store().clone();
    store
        .files()
        .set_markers("Saga/Saga #003 (2012).cbz", true, false)
        .unwrap();
    store
        .files()
        .set_markers("Batman/Batman ch 13.cbz", false, true)
        .unwrap();

    let (_, p) = get_json(&server.url("/api/files?per_page=5&page=2")).await;
    assert_eq!(p["files"].as_array().unwrap().len(), 5);
    assert_eq!(p["total_pages"], 3);
    let (_, last) = get_json(&server.url("/api/files?per_page=5&page=3")).await;
    assert_eq!(last["files"].as_array().unwrap().len(), DEMO_COUNT - 10);
    let (_, beyond) = get_json(&server.url("/api/files?per_page=5&page=9")).await;
    assert_eq!(beyond["files"].as_array().unwrap().len(), 0);

    let (_, s) = get_json(&server.url("/api/files?search=BATMAN")).await;
    let paths: Vec<&str> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths.len(),
        5,
        "3 in Batman/ and 2 in Batman_ Year One/: {paths:?}"
    );
    let (_, folder) = get_json(&server.url("/api/files?search=walking%20dead")).await;
    assert_eq!(folder["total_files"], 1, "search covers folder names");

    let (_, processed) = get_json(&server.url("/api/files?filter=processed")).await;
    assert_eq!(processed["total_files"], 1);
    assert_eq!(processed["unprocessed_count"], DEMO_COUNT - 1);
    let (_, unprocessed) = get_json(&server.url("/api/files?filter=unprocessed")).await;
    assert_eq!(unprocessed["total_files"], DEMO_COUNT - 1);
    let (_, dups) = get_json(&server.url("/api/files?filter=duplicates")).await;
    assert_eq!(dups["files"][0]["path"], "Batman/Batman ch 13.cbz");

    let (_, by_size) =
        get_json(&server.url("/api/files?sort=size&direction=desc&per_page=500")).await;
    let sizes: Vec<u64> = by_size["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["size"].as_u64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    let (_, by_name) =
        get_json(&server.url("/api/files?sort=name&direction=desc&per_page=500")).await;
    assert_eq!(by_name["files"][0]["folder"], "The Walking Dead");
    std::fs::write(server.library.join("Saga/Saga #004 (2012).cbz"), cbz()).unwrap();
    let touched = std::fs::File::options()
        .write(true)
        .open(server.library.join("Saga/Saga #004 (2012).cbz"))
        .unwrap();
    touched
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(3600))
        .unwrap();
    drop(touched);
    server.state.library.scan().await.unwrap();
    let (_, by_date) = get_json(&server.url("/api/files?sort=date&direction=desc")).await;
    assert_eq!(by_date["files"][0]["path"], "Saga/Saga #004 (2012).cbz");
    server.shutdown().await;
}

#[tokio::test]
async fn list_validation_errors_are_400_json() {
    let server = TestServer::start(|_| {}).await;
    for query in [
        "per_page=0",
        "per_page=501",
        "page=0",
        "page=-1",
        "filter=odd",
        "sort=colour",
        "direction=up",
        "per_page=abc",
    ] {
        let (status, body) = get_json(&server.url(&format!("/api/files?{query}"))).await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{query}: {body}"
        );
    }
    let (ok, _) = get_json(&server.url("/api/files?per_page=500")).await;
    assert_eq!(ok, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn details_include_comicinfo_fields() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let (status, d) = get_json(&server.url("/api/files/Saga/Saga%20%23003%20(2012).cbz")).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["path"], "Saga/Saga #003 (2012).cbz");
    assert_eq!(d["page_count"], 4);
    let info = d["comic_info"].as_array().unwrap();
    assert!(info.contains(&json!(["Series", "Saga"])), "{info:?}");
    assert!(info.contains(&json!(["Number", "3"])));
    let (_, plain) = get_json(&server.url("/api/files/Batman/Batman%20ch%2012.cbz")).await;
    assert_eq!(plain["comic_info"], Value::Null);
    let (missing, body) = get_json(&server.url("/api/files/Batman/nope.cbz")).await;
    assert_eq!(missing, 404);
    assert!(body["error"].is_string());
    server.shutdown().await;
}

#[tokio::test]
async fn every_escaping_path_is_refused_with_400() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.cbz"), cbz()).unwrap();
    std::os::unix::fs::symlink(outside.path(), server.library.join("escape")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.cbz"),
        server.library.join("Saga/link.cbz"),
    )
    .unwrap();
    for path in [
        "/api/files/../../etc/passwd",
        "/api/files/Saga/../../x.cbz",
        "/api/files/..%2F..%2Fetc%2Fpasswd",
        "/api/files/%2e%2e/x.cbz",
        "/api/files/%252e%252e/x.cbz",
        "/api/files/Saga%5C..%5C..%5Cx.cbz",
        "/api/files/..%5Cx.cbz",
        "/api/files//etc/passwd",
        "/api/files/%2Fetc%2Fpasswd",
        "/api/files/C:/Windows/x.cbz",
        "/api/files/a%00b.cbz",
        "/api/files/escape/secret.cbz",
        "/api/files/Saga/link.cbz",
        "/api/files/./Saga/x.cbz",
    ] {
        let (status, body) = raw_get(server.addr, path).await;
        assert_eq!(status, 400, "{path} → {status} {body}");
        let json: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: JSON body, got {body}"));
        assert!(
            json["error"].as_str().unwrap().contains("invalid path"),
            "{path}: {json}"
        );
    }
    // The symlinked folder and file are not listed either.
    assert!(server
        .listed()
        .await
        .iter()
        .all(|p| !p.contains("secret") && !p.contains("link")));
    server.shutdown().await;
}

#[tokio::test]
async fn a_file_written_slowly_is_listed_only_once_closed_and_announced() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let mut sse = SseClient::open(&server, "/api/events/stream?subscribe=cache_updated").await;
    let body = cbz();
    let path = server.library.join("Saga/Saga #005 (2013).cbz");
    let mut file = std::fs::File::create(&path).unwrap();
    for chunk in body.chunks(body.len() / 4 + 1).take(3) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            !server
                .listed()
                .await
                .contains(&"Saga/Saga #005 (2013).cbz".to_string()),
            "not listed while being written"
        );
    }
    let written: usize = body
        .chunks(body.len() / 4 + 1)
        .take(3)
        .map(|c| c.len())
        .sum();
    file.write_all(&body[written..]).unwrap();
    drop(file);
    server.wait_listed("Saga/Saga #005 (2013).cbz", true).await;
    let (_, d) = get_json(&server.url("/api/files/Saga/Saga%20%23005%20(2013).cbz")).await;
    assert_eq!(d["size"], body.len());
    let announced = sse
        .until(|e| e["data"]["rebuild_complete"] == true && e["data"]["message"] == "1 added")
        .await["data"]
        .clone();
    assert!(
        announced["message"].as_str().unwrap().contains("1 added"),
        "{announced}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn renames_moves_folder_renames_and_deletes_are_followed() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let lib = server.library.clone();
    let store = server.state.library.store().clone();
    store
        .files()
        .set_markers("Batman/Batman ch 12.cbz", true, false)
        .unwrap();

    std::fs::rename(
        lib.join("Batman/Batman ch 12.cbz"),
        lib.join("Batman/Batman - Chapter 0012.cbz"),
    )
    .unwrap();
    server
        .wait_listed("Batman/Batman - Chapter 0012.cbz", true)
        .await;
    server.wait_listed("Batman/Batman ch 12.cbz", false).await;
    let (_, d) = get_json(&server.url("/api/files/Batman/Batman%20-%20Chapter%200012.cbz")).await;
    assert_eq!(d["processed"], true, "markers follow a rename");

    std::fs::rename(
        lib.join("Batman/Batman ch 13.cbz"),
        lib.join("Saga/Batman ch 13.cbz"),
    )
    .unwrap();
    server.wait_listed("Saga/Batman ch 13.cbz", true).await;
    server.wait_listed("Batman/Batman ch 13.cbz", false).await;

    store
        .files()
        .set_markers("Spider-Man/spider man chapter 8.cbz", true, false)
        .unwrap();
    std::fs::rename(lib.join("Spider-Man"), lib.join("Spider-Man (2018)")).unwrap();
    server
        .wait_listed("Spider-Man (2018)/spider man chapter 8.cbz", true)
        .await;
    let (_, d) =
        get_json(&server.url("/api/files/Spider-Man%20(2018)/spider%20man%20chapter%208.cbz"))
            .await;
    assert_eq!(d["processed"], true, "markers follow a folder rename");
    server
        .wait_listed("Spider-Man (2018)/spider man chapter 7.5.cbz", true)
        .await;
    server
        .wait_listed("Spider-Man/spider man chapter 8.cbz", false)
        .await;

    std::fs::remove_file(lib.join("Invincible/invincible 006.CBZ")).unwrap();
    server
        .wait_listed("Invincible/invincible 006.CBZ", false)
        .await;
    std::fs::remove_dir_all(lib.join("One Piece")).unwrap();
    server
        .wait_listed("One Piece/One_Piece_Issue_2.cbz", false)
        .await;

    // A folder moved in from outside brings its comics.
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(outside.path().join("Hellboy")).unwrap();
    std::fs::write(outside.path().join("Hellboy/Hellboy 001.cbz"), cbz()).unwrap();
    std::fs::rename(outside.path().join("Hellboy"), lib.join("Hellboy")).unwrap();
    server.wait_listed("Hellboy/Hellboy 001.cbz", true).await;
    // New nested folder with a file created right away.
    std::fs::create_dir_all(lib.join("New/Deep")).unwrap();
    std::fs::write(lib.join("New/Deep/x 1.cbz"), cbz()).unwrap();
    server.wait_listed("New/Deep/x 1.cbz", true).await;
    // Non-comics are ignored.
    std::fs::write(lib.join("Saga/notes.txt"), "hi").unwrap();
    let (_, stats) = get_json(&server.url("/api/cache/stats")).await;
    let expected = DEMO_COUNT - 1 - 2 + 1 + 1;
    eventually("final count", || async {
        let (_, s) = get_json(&server.url("/api/cache/stats")).await;
        (s["total_files"] == expected).then_some(())
    })
    .await;
    assert_eq!(stats["watcher"]["running"], true);
    server.shutdown().await;
}

#[tokio::test]
async fn changes_made_while_down_are_picked_up_after_a_restart() {
    let dirs = Dirs::demo();
    let (library, data) = (&dirs.library, &dirs.data);
    let config = || dirs.config();
    let first = TestServer::start_with(config()).await;
    first.scanned().await;
    first
        .state
        .library
        .store()
        .files()
        .set_markers("Saga/Saga #004 (2012).cbz", true, false)
        .unwrap();
    let (_, before) = get_json(&first.url("/api/files/Saga/Saga%20%23004%20(2012).cbz")).await;
    first.shutdown().await;

    let lib = library.path();
    std::fs::remove_file(lib.join("Batman/Batman ch 12.cbz")).unwrap();
    std::fs::write(lib.join("Batman/Batman ch 15.cbz"), cbz()).unwrap();
    std::fs::rename(
        lib.join("Saga/Saga #004 (2012).cbz"),
        lib.join("Saga/Saga 004.cbz"),
    )
    .unwrap();
    std::fs::write(lib.join("Invincible/Invincible - Chapter 0005.cbz"), cbz()).unwrap();

    let second = TestServer::start_with(config()).await;
    second.scanned().await;
    let listed = second.listed().await;
    assert!(!listed.contains(&"Batman/Batman ch 12.cbz".to_string()));
    assert!(listed.contains(&"Batman/Batman ch 15.cbz".to_string()));
    assert!(listed.contains(&"Saga/Saga 004.cbz".to_string()));
    assert_eq!(listed.len(), DEMO_COUNT);
    let (_, moved) = get_json(&second.url("/api/files/Saga/Saga%20004.cbz")).await;
    assert_eq!(
        moved["processed"], true,
        "the rename while down kept the marker"
    );
    assert_eq!(moved["first_seen"], before["first_seen"]);
    let (_, changed) =
        get_json(&second.url("/api/files/Invincible/Invincible%20-%20Chapter%200005.cbz")).await;
    assert_eq!(changed["size"], cbz().len());
    assert!(data.path().join("longbox.db").exists());
    second.shutdown().await;
}

#[tokio::test]
async fn watcher_toggle_persists_and_publishes() {
    let dirs = Dirs::empty();
    let config = || dirs.config();
    let server = TestServer::start_with(config()).await;
    let (_, status) = get_json(&server.url("/api/watcher/status")).await;
    assert_eq!(status, json!({"running": true, "enabled": true}));
    let mut sse = SseClient::open(&server, "/api/events/stream?subscribe=watcher_status").await;
    let http = reqwest::Client::new();
    let resp = http
        .post(server.url("/api/watcher"))
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"running": true, "enabled": false})
    );
    let ev = sse.until(|e| e["data"]["enabled"] == false).await;
    assert_eq!(
        ev["data"]["running"], true,
        "disabling never stops the watch"
    );
    for bad in [json!({"enabled": "no"}), json!({}), json!([1])] {
        let r = http
            .post(server.url("/api/watcher"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.json::<Value>().await.unwrap()["error"].is_string());
    }
    server.shutdown().await;
    let again = TestServer::start_with(config()).await;
    let (_, status) = get_json(&again.url("/api/watcher/status")).await;
    assert_eq!(status["enabled"], false, "setting persisted");
    again.shutdown().await;
}

#[tokio::test]
async fn without_the_os_watch_a_periodic_rescan_keeps_the_list_right() {
    let server = TestServer::start(|c| {
        c.os_watch = false;
        c.rescan_secs = 1;
    })
    .await;
    let (_, status) = get_json(&server.url("/api/watcher/status")).await;
    assert_eq!(status["running"], false);
    server.scanned().await;
    std::fs::write(server.library.join("Saga/Saga 9.cbz"), cbz()).unwrap();
    server.wait_listed("Saga/Saga 9.cbz", true).await;
    server.shutdown().await;
}

#[tokio::test]
async fn rebuild_answers_202_and_announces_start_and_commit() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let mut sse = SseClient::open(&server, "/api/events/stream?subscribe=cache_updated").await;
    // Skip the start-up scan's replayed state.
    let resp = reqwest::Client::new()
        .post(server.url("/api/cache/rebuild"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    // The stream opens with the start-up scan's completion ("N added") as replayed state; the
    // rebuild's own completion follows and finds nothing new.
    let done = sse
        .until(|e| {
            e["data"]["rebuild_complete"] == true
                && e["data"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("scan complete: no changes")
        })
        .await["data"]
        .clone();
    assert_eq!(done["rebuild_complete"], true, "{done}");
    let (_, stats) = get_json(&server.url("/api/cache/stats")).await;
    assert_eq!(stats["total_files"], DEMO_COUNT);
    assert_eq!(stats["unprocessed"], DEMO_COUNT);
    assert!(stats["last_scan_ms"].as_u64().is_some());
    assert_eq!(stats["scanning"], false);
    server.shutdown().await;
}
