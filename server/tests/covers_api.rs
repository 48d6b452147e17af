//! Cover thumbnails against a real server: made in the background, served with an `ETag` and a
//! long cache lifetime at the URL the list gives, revalidated with 304, replaced when the file
//! changes, and hostile pages refused with a JSON 422.

mod common;

use common::*;
use serde_json::Value;
use std::io::{Cursor, Write};
use std::path::Path;

/// A .cbz of the given entries (stored).
fn cbz(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(*name, stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A `w` × `h` PNG of one colour.
fn png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb(rgb));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A PNG signature and IHDR declaring `w` × `h` RGBA, and nothing else of use.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    out
}

/// The listed row of `path`, once it is listed.
async fn row(server: &TestServer, path: &str) -> Value {
    eventually(&format!("{path} listed"), || async {
        let (_, page) = get_json(&server.url("/api/files?per_page=500")).await;
        page["files"]
            .as_array()?
            .iter()
            .find(|f| f["path"] == path)
            .cloned()
    })
    .await
}

/// The row of `path` once `done` says its cover is settled.
async fn row_when(server: &TestServer, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    eventually(&format!("the cover of {path}"), || async {
        let r = row(server, path).await;
        done(&r["cover"]).then_some(r)
    })
    .await
}

fn made(cover: &Value) -> bool {
    cover.as_str().is_some_and(|u| u.contains("?v="))
}

async fn get(server: &TestServer, url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(server.url(url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn write(library: &Path, rel: &str, bytes: &[u8]) {
    let path = library.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn covers_are_made_in_the_background_and_cached_by_their_hash() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    let path = "Saga/Saga #003 (2012).cbz";
    let r = row_when(&server, path, made).await;
    let url = r["cover"].as_str().unwrap().to_string();
    let key = url.rsplit_once("?v=").unwrap().1.to_string();

    let resp = get(&server, &url, &[]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "image/jpeg");
    assert_eq!(header(&resp, "etag"), format!("\"{key}\""));
    let cache = header(&resp, "cache-control");
    assert!(
        cache.contains("max-age=31536000") && cache.contains("immutable"),
        "{cache}"
    );
    let jpeg = resp.bytes().await.unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (48, 72),
        "the demo's page, not enlarged"
    );

    // Revalidation: the same ETag gets a 304 without a body.
    let etag = format!("\"{key}\"");
    let again = get(&server, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    // Without the hash in the URL the answer is not cached for good.
    let base = url.split('?').next().unwrap();
    let bare = get(&server, base, &[]).await;
    assert_eq!(bare.status(), 200);
    assert!(header(&bare, "cache-control").contains("no-cache"));

    // The details carry the cover too.
    let (_, details) = get_json(&server.url(&format!(
        "/api/files/{}",
        url.split_once("/covers/").unwrap().1.split('?').next().unwrap()
    )))
    .await;
    assert_eq!(details["cover"], url.as_str());
    server.shutdown().await;
}

#[tokio::test]
async fn new_and_changed_files_get_covers_and_progress_is_published() {
    let server = TestServer::start(|_| {}).await;
    server.scanned().await;
    // Automatic processing would rename the new file.
    server.state.library.set_enabled(false).unwrap();
    let first = row_when(&server, "Batman/Batman ch 12.cbz", made).await["cover"].clone();
    let mut events = SseClient::open(&server, "/api/events/stream?subscribe=covers_progress").await;
    // A new file, and a change to a listed one (new page bytes: a new cover).
    write(
        &server.library,
        "New/New 001.cbz",
        &cbz(&[("1.png", png(30, 40, [9, 9, 9]))]),
    );
    write(
        &server.library,
        "Batman/Batman ch 12.cbz",
        &cbz(&[("01.png", png(20, 30, [200, 10, 10]))]),
    );
    let done = events
        .until(|e| e["type"] == "covers_progress" && e["data"]["done"] == e["data"]["total"])
        .await;
    assert!(done["data"]["total"].as_u64().unwrap() >= 1, "{done}");
    row_when(&server, "New/New 001.cbz", made).await;
    let changed = row_when(&server, "Batman/Batman ch 12.cbz", |c| {
        made(c) && *c != first
    })
    .await;
    let url = changed["cover"].as_str().unwrap();
    let img =
        image::load_from_memory(&get(&server, url, &[]).await.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (20, 30));
    server.shutdown().await;
}

#[tokio::test]
async fn comic_info_front_cover_picks_the_page() {
    let dirs = Dirs::empty();
    let xml = r#"<?xml version="1.0"?><ComicInfo><Series>S</Series><Pages><Page Image="0"/><Page Image="1" Type="FrontCover"/></Pages></ComicInfo>"#;
    write(
        dirs.library.path(),
        "S/S 1.cbz",
        &cbz(&[
            ("ComicInfo.xml", xml.as_bytes().to_vec()),
            ("10.png", png(10, 10, [0, 0, 250])),
            ("9.png", png(12, 12, [250, 0, 0])),
        ]),
    );
    let server = TestServer::start_with(dirs.config()).await;
    server.scanned().await;
    let r = row_when(&server, "S/S 1.cbz", made).await;
    let bytes = get(&server, r["cover"].as_str().unwrap(), &[])
        .await
        .bytes()
        .await
        .unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // Page 1 in reading order is 10.png (9 before 10): the blue one.
    assert_eq!(img.dimensions(), (10, 10));
    let [r_, _, b] = img.get_pixel(5, 5).0;
    assert!(b > 200 && r_ < 50, "{:?}", img.get_pixel(5, 5));
    server.shutdown().await;
    drop(dirs);
}

#[tokio::test]
async fn hostile_pages_are_refused_with_their_reason() {
    let dirs = Dirs::empty();
    let lib = dirs.library.path();
    // A decompression bomb's header: 30,000 × 30,000 RGBA (3.6 GB decoded), a few bytes on disk.
    write(
        lib,
        "H/bomb.cbz",
        &cbz(&[("001.png", png_header(30_000, 30_000))]),
    );
    write(
        lib,
        "H/text.cbz",
        &cbz(&[("001.jpg", b"just some words".to_vec())]),
    );
    let real = png(200, 300, [1, 2, 3]);
    write(
        lib,
        "H/truncated.cbz",
        &cbz(&[("001.png", real[..real.len() / 2].to_vec())]),
    );
    write(
        lib,
        "H/nopages.cbz",
        &cbz(&[("readme.txt", b"no pages".to_vec())]),
    );
    let server = TestServer::start_with(dirs.config()).await;
    server.scanned().await;
    for (name, why) in [
        ("bomb", "limit"),
        ("text", "not an image"),
        ("truncated", "broken"),
        ("nopages", "no image pages"),
    ] {
        let path = format!("H/{name}.cbz");
        row_when(&server, &path, Value::is_null).await;
        let resp = get(&server, &format!("/api/covers/H/{name}.cbz"), &[]).await;
        assert_eq!(resp.status(), 422, "{name}");
        let body: Value = resp.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(why), "{name}: {error}");
    }
    let missing = get(&server, "/api/covers/H/none.cbz", &[]).await;
    assert_eq!(missing.status(), 404);
    assert!(missing.json::<Value>().await.unwrap()["error"].is_string());
    let (status, _) = raw_get(server.addr, "/api/covers/../etc/passwd").await;
    assert!(status == 400 || status == 404, "{status}");
    server.shutdown().await;
    drop(dirs);
}
