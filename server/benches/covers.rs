//! Cover benchmark: thumbnails per second over the 1,000-file benchmark library (the
//! processing benchmark's 1 MiB `.cbz` files), whose first page is a real 1600 × 2464 JPEG (a
//! scanned page's size). Each cover ends in a few bytes of its own after the image, so every
//! file has its own content hash and is decoded, as distinct covers would be.
//! `cargo bench --bench covers` runs 1,000 files; under `cargo test` a small smoke version.

mod common;

use common::BenchLibrary;
use longbox::covers::{Covers, COVER_CONCURRENCY};
use std::io::Write;
use std::time::Instant;

fn cover_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let v = ((x * 7 + y * 3) ^ (x * y / 64)) as u8;
        image::Rgb([v, v.wrapping_mul(3), 255 - v])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

fn comic(cover: &[u8], i: u64, noise_pages: usize, page_bytes: usize) -> Vec<u8> {
    // The noise pages of the processing benchmark, plus the cover as 000.jpg.
    let noise = longbox::demo::build_noise_cbz(noise_pages, page_bytes, i + 1).unwrap();
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(noise)).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("000.jpg", stored).unwrap();
    zip.write_all(cover).unwrap();
    zip.write_all(&i.to_le_bytes()).unwrap();
    for n in 0..src.len() {
        zip.raw_copy_file(src.by_index_raw(n).unwrap()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (files, (w, h)) = if full {
        (1000, (1600, 2464))
    } else {
        (12, (400, 616))
    };
    let cover = cover_jpeg(w, h);
    let lib = BenchLibrary::write(
        "Bench Series",
        (0..files).map(|i| {
            (
                format!("bench series ch {i}.cbz"),
                comic(&cover, i, 7, 128 << 10),
            )
        }),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (hub, library) = lib.open().await;
        let covers = Covers::open(library.clone(), hub.clone()).unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let start = Instant::now();
        let done = covers.make_missing(&stop).await.unwrap();
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(done, files);
        assert!(library.store().covers().missing().unwrap().is_empty());
        println!(
            "| covers: {files} × {w}×{h} JPEG covers in 1 MiB .cbz, concurrency {COVER_CONCURRENCY} | {secs:.2} s | {:.1} thumbnails/s | {:.1} ms per cover |",
            files as f64 / secs,
            secs * 1000.0 / files as f64
        );
        let keys = library.store().covers().keys().unwrap();
        assert_eq!(keys.len() as u64, files, "one thumbnail per distinct cover");
        hub.close_all();
    });
}
