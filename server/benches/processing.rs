//! Processing benchmark: N one-megabyte `.cbz` files (incompressible pages, stored) processed by a
//! real `process` job (tags + rename) through the `JobRunner`, timed from job creation to the
//! `completed` event. `cargo bench --bench processing` runs 1,000 files; under `cargo test` it runs
//! a small smoke version.

mod common;

use app::api::JobAction;
use app::events::EventType;
use common::BenchLibrary;
use longbox::hub::{SubscribeRequest, TypeFilter};
use longbox::jobs::JobRunner;
use std::time::{Duration, Instant};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (files, size) = if full {
        (1000, 1 << 20)
    } else {
        (20, 64 << 10)
    };
    let lib = BenchLibrary::write(
        "Bench Series",
        (0..files).map(|i| {
            let cbz = longbox::demo::build_noise_cbz(8, size / 8, i as u64 + 1).unwrap();
            (format!("bench series ch {i}.cbz"), cbz)
        }),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (hub, library) = lib.open().await;
        let jobs = JobRunner::start(library.clone(), hub.clone(), hub.shutdown_token()).unwrap();
        let mut sub = hub.subscribe(SubscribeRequest {
            last_event_id: None,
            filter: TypeFilter::only(&[EventType::JobUpdated]),
            remote_addr: None,
            user_agent: None,
            owner: Default::default(),
        });
        while sub.receiver.try_recv().is_ok() {}
        let paths = library.store().files().all_paths(false).unwrap();
        assert_eq!(paths.len(), files);
        let parallelism = jobs.settings().parallelism;
        let start = Instant::now();
        let (id, _) = jobs.create(JobAction::Process, paths).unwrap();
        loop {
            let p = tokio::time::timeout(Duration::from_secs(600), sub.receiver.recv()).await.unwrap().unwrap();
            let text = std::str::from_utf8(&p.frame).unwrap();
            if text.contains(&id) && text.contains("\"status\":\"completed\"") {
                assert!(text.contains(&format!("\"success\":{files}")), "every file processed: {text}");
                break;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "| process job: {files} × {} KiB .cbz, parallelism {parallelism} | {:.2} s | {:.0} files/s | {:.0} MB/s |",
            size >> 10,
            secs,
            files as f64 / secs,
            (files * size) as f64 / secs / 1e6
        );
        hub.close_all();
    });
}
