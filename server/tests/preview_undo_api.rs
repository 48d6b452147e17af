//! Dry runs show what a job will do and touch nothing; the job then does exactly that; undo
//! puts names and ComicInfo.xml back byte for byte; names that differ only by case or Unicode
//! normalisation are duplicates, never overwritten. Real server, real archives.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

async fn post(server: &TestServer, path: &str, body: Value) -> (u16, Value) {
    send_json(server, reqwest::Method::POST, path, body).await
}

/// Every entry of every archive under `dir`: path → [(entry name, bytes)].
fn archives(dir: &Path) -> BTreeMap<String, Vec<(String, Vec<u8>)>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let entries = match zip::ZipArchive::new(std::fs::File::open(e.path()).unwrap()) {
            Ok(mut zip) => (0..zip.len())
                .map(|i| {
                    let mut entry = zip.by_index(i).unwrap();
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).unwrap();
                    (entry.name().to_string(), bytes)
                })
                .collect(),
            Err(_) => vec![("(not a zip)".into(), std::fs::read(e.path()).unwrap())],
        };
        out.insert(rel, entries);
    }
    out
}

async fn finished(server: &TestServer, id: &str) -> Value {
    eventually("the job finishes", || async {
        let (_, j) = get_json(&server.url(&format!("/api/jobs/{id}"))).await;
        ["completed", "failed", "cancelled"]
            .contains(&j["status"].as_str().unwrap_or(""))
            .then_some(j)
    })
    .await
}

async fn quiet_server(dirs: &Dirs) -> TestServer {
    let mut config = dirs.config();
    config.os_watch = false;
    let server = TestServer::start_with(config).await;
    server.scanned().await;
    let (status, _) = post(&server, "/api/watcher", json!({"enabled": false})).await;
    assert_eq!(status, 200);
    server
}

#[tokio::test]
async fn a_dry_run_touches_nothing_and_the_job_then_does_exactly_what_it_showed() {
    let dirs = Dirs::demo();
    let server = quiet_server(&dirs).await;
    let before = archives(dirs.library.path());
    let (status, preview) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": "all", "dry_run": true}),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        archives(dirs.library.path()),
        before,
        "a dry run touches nothing"
    );
    let items = preview["items"].as_array().unwrap().clone();
    assert!(preview["changes"].as_u64().unwrap() > 0, "{preview}");
    let (status, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": "all"}),
    )
    .await;
    assert_eq!(status, 202);
    let job = finished(&server, created["job_id"].as_str().unwrap()).await;
    let done: BTreeMap<String, Value> = job["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["path"].as_str().unwrap().to_string(), i.clone()))
        .collect();
    for item in &items {
        let path = item["path"].as_str().unwrap();
        let result = &done[path];
        let expected = match item["outcome"].as_str().unwrap() {
            "change" => "success",
            "unchanged" => "skipped",
            "conflict" => "duplicate",
            _ => "failed",
        };
        assert_eq!(
            result["outcome"], expected,
            "{path}: preview {item}, job {result}"
        );
        if expected == "success" {
            let new_path = item["new_path"].as_str().unwrap_or(path);
            assert_eq!(result["new_path"], new_path, "{path}");
            if let Some(changes) = item["tag_changes"].as_array().filter(|c| !c.is_empty()) {
                let (_, details) = get_json(&server.url(&format!("/api/files/{new_path}"))).await;
                let fields: BTreeMap<String, String> =
                    serde_json::from_value::<Vec<(String, String)>>(details["comic_info"].clone())
                        .unwrap()
                        .into_iter()
                        .collect();
                for change in changes {
                    let field = change["field"].as_str().unwrap();
                    assert_eq!(
                        fields.get(field).map(String::as_str),
                        change["new"].as_str()
                    );
                }
            }
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn names_differing_only_by_case_or_normalisation_are_duplicates() {
    let dirs = Dirs::empty();
    let nfc = "Am\u{e9}lie";
    let nfd = "Ame\u{301}lie";
    for folder in [nfc, "Saga"] {
        std::fs::create_dir(dirs.library.path().join(folder)).unwrap();
    }
    let cbz = |seed| longbox::demo::build_cbz(1, seed, None).unwrap();
    let lib = dirs.library.path();
    std::fs::write(lib.join(format!("{nfc}/{nfc} 1.cbz")), cbz(1)).unwrap();
    std::fs::write(lib.join(format!("{nfc}/{nfd} - Chapter 0001.cbz")), cbz(2)).unwrap();
    std::fs::write(lib.join("Saga/Saga 1.cbz"), cbz(3)).unwrap();
    std::fs::write(lib.join("Saga/SAGA - CHAPTER 0001.cbz"), cbz(4)).unwrap();
    let server = quiet_server(&dirs).await;
    let before = archives(lib);
    let files = json!([format!("{nfc}/{nfc} 1.cbz"), "Saga/Saga 1.cbz"]);
    let (_, preview) = post(
        &server,
        "/api/jobs",
        json!({"action": "rename", "files": files, "dry_run": true}),
    )
    .await;
    for item in preview["items"].as_array().unwrap() {
        assert_eq!(item["outcome"], "conflict", "{item}");
        assert!(
            item["conflict"]
                .as_str()
                .unwrap()
                .contains("already exists"),
            "{item}"
        );
    }
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "rename", "files": files}),
    )
    .await;
    let job = finished(&server, created["job_id"].as_str().unwrap()).await;
    for item in job["items"].as_array().unwrap() {
        assert_eq!(item["outcome"], "duplicate", "{item}");
    }
    assert_eq!(archives(lib), before, "nothing was overwritten or moved");

    // Two files of one batch that would get the same name: the preview says so.
    std::fs::write(lib.join("Saga/Saga ch 2.cbz"), cbz(5)).unwrap();
    std::fs::write(lib.join("Saga/Saga #2.cbz"), cbz(6)).unwrap();
    server.state.library.scan().await.unwrap();
    let (_, preview) = post(
        &server,
        "/api/jobs",
        json!({"action": "rename", "files": ["Saga/Saga ch 2.cbz", "Saga/Saga #2.cbz"], "dry_run": true}),
    )
    .await;
    let outcomes: Vec<&str> = preview["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["change", "conflict"], "{preview}");
    server.shutdown().await;
}

#[tokio::test]
async fn undo_restores_names_and_comic_info_byte_for_byte_and_skips_changed_files() {
    let dirs = Dirs::demo();
    let server = quiet_server(&dirs).await;
    let lib = dirs.library.path();
    let before = archives(lib);
    let (_, created) = post(
        &server,
        "/api/jobs",
        json!({"action": "process", "files": "all"}),
    )
    .await;
    let source = created["job_id"].as_str().unwrap().to_string();
    let job = finished(&server, &source).await;
    assert!(job["progress"]["success"].as_u64().unwrap() > 2, "{job}");
    assert_ne!(archives(lib), before, "the job changed files");
    // One file is changed by someone else after the job: undo must leave it alone.
    let touched = job["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["outcome"] == "success" && i["new_path"] != i["path"])
        .unwrap()["new_path"]
        .as_str()
        .unwrap()
        .to_string();
    let touched_bytes = longbox::demo::build_cbz(2, 99, None).unwrap();
    std::fs::write(lib.join(&touched), &touched_bytes).unwrap();
    server.state.library.scan().await.unwrap();

    let mut sse = SseClient::open(&server, "/api/events/stream?subscribe=job_updated").await;
    let (status, undo) = post(&server, &format!("/api/jobs/{source}/undo"), json!({})).await;
    assert_eq!(status, 202, "{undo}");
    let undo_id = undo["job_id"].as_str().unwrap().to_string();
    let progress = sse
        .until(|e| e["data"]["job_id"] == undo_id && e["data"]["status"] == "completed")
        .await;
    assert_eq!(
        progress["data"]["progress"]["processed"],
        undo["total_items"]
    );
    let undone = finished(&server, &undo_id).await;
    assert_eq!(undone["action"], "undo");
    assert_eq!(undone["undo_of"], source.as_str());
    let skipped: Vec<&Value> = undone["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["outcome"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{undone}");
    assert!(skipped[0]["error"]
        .as_str()
        .unwrap()
        .contains("changed since"));
    assert_eq!(std::fs::read(lib.join(&touched)).unwrap(), touched_bytes);
    let mut after = archives(lib);
    let mut expected = before.clone();
    // The changed file stays where and what it is; everything else is exactly as before.
    after.remove(&touched);
    let original = job["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["new_path"] == touched.as_str())
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_string();
    expected.remove(&original);
    assert_eq!(
        after, expected,
        "names, entries and ComicInfo.xml bytes restored"
    );

    let (status, twice) = post(&server, &format!("/api/jobs/{source}/undo"), json!({})).await;
    assert_eq!(status, 409, "a job is undone once: {twice}");
    assert!(
        twice["error"].as_str().unwrap().contains("already undone"),
        "{twice}"
    );
    let (status, again) = post(&server, &format!("/api/jobs/{undo_id}/undo"), json!({})).await;
    assert_eq!(status, 409, "an undo job changed nothing to undo: {again}");
    let (status, _) = post(
        &server,
        "/api/jobs",
        json!({"action": "undo", "files": "all"}),
    )
    .await;
    assert_eq!(status, 400, "undo is its own endpoint");
    server.shutdown().await;
}
