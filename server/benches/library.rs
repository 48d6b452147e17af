//! Library benchmarks: rescans of a 100,000-file library, file-list page queries, and the
//! watcher's completion→announcement latency. `cargo bench --bench library` runs the full sizes;
//! under `cargo test` (no `--bench` flag) it runs a small smoke version.

use app::api::{Direction, FileFilter, FileQuery, FileSort};
use app::events::EventType;
use longbox::db::Db;
use longbox::hub::{EventHub, HubConfig, SubscribeRequest, TypeFilter};
use longbox::library::scan;
use longbox::library::watch::{self, WatchConfig};
use longbox::library::Library;
use std::path::Path;
use std::time::{Duration, Instant};

fn make_library(root: &Path, files: usize) {
    let per_folder = 100;
    for i in 0..files {
        let folder = root.join(format!("Series {:04}", i / per_folder));
        if i % per_folder == 0 {
            std::fs::create_dir_all(&folder).unwrap();
        }
        std::fs::write(
            folder.join(format!(
                "Series {:04} ch {}.cbz",
                i / per_folder,
                i % per_folder
            )),
            b"PK",
        )
        .unwrap();
    }
}

fn full_scan(root: &Path, store: &Db) -> (Duration, String) {
    let start = Instant::now();
    let found = scan::walk(root, root);
    let changes = scan::reconcile(&store.files().snapshot().unwrap(), found);
    store.files().apply(&changes, 0.0).unwrap();
    (start.elapsed(), changes.summary())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let files = if full { 100_000 } else { 1_000 };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("library");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    let root = root.canonicalize().unwrap();
    let t = Instant::now();
    make_library(&root, files);
    println!("created {files} files in {:.0} ms", ms(t.elapsed()));

    let store = Db::open(&data).unwrap();
    let (first, summary) = full_scan(&root, &store);
    println!(
        "| first scan ({files} files, empty store) | {:.0} ms | {summary} |",
        ms(first)
    );
    let (same, summary) = full_scan(&root, &store);
    println!(
        "| rescan, nothing changed | {:.0} ms | {summary} |",
        ms(same)
    );
    let folders = files / 100;
    for i in 0..100 {
        let f = i % folders;
        let folder = root.join(format!("Series {f:04}"));
        std::fs::write(
            folder.join(format!("Series {f:04} ch {}.cbz", i / folders)),
            b"PK changed",
        )
        .unwrap();
        std::fs::write(folder.join(format!("new {i}.cbz")), b"PK").unwrap();
    }
    for f in 0..folders.min(100) {
        let folder = root.join(format!("Series {f:04}"));
        std::fs::remove_file(folder.join(format!("Series {f:04} ch 50.cbz"))).unwrap();
    }
    let (little, summary) = full_scan(&root, &store);
    println!(
        "| rescan, ~300 changed | {:.0} ms | {summary} |",
        ms(little)
    );
    assert_eq!(
        store.files().counts().unwrap().total as usize,
        files + 100 - folders.min(100)
    );

    let queries = [
        ("page 1, name asc", FileQuery::default()),
        (
            "page 500, name asc",
            FileQuery {
                page: 500,
                ..FileQuery::default()
            },
        ),
        (
            "size desc",
            FileQuery {
                sort: FileSort::Size,
                direction: Direction::Desc,
                ..FileQuery::default()
            },
        ),
        (
            "date asc, unprocessed",
            FileQuery {
                sort: FileSort::Date,
                filter: FileFilter::Unprocessed,
                ..FileQuery::default()
            },
        ),
        (
            "search \"ch 42\"",
            FileQuery {
                search: "ch 42".into(),
                ..FileQuery::default()
            },
        ),
        (
            "search \"series 0999\", 500/page",
            FileQuery {
                search: "series 0999".into(),
                per_page: 500,
                ..FileQuery::default()
            },
        ),
    ];
    println!("\n| query ({files} files) | mean ms | max ms |");
    println!("| --- | --- | --- |");
    for (label, q) in &queries {
        let runs = 50;
        let mut worst = Duration::ZERO;
        let start = Instant::now();
        for _ in 0..runs {
            let t = Instant::now();
            let page = store.files().list(q).unwrap();
            assert!(page.total_pages >= 1);
            worst = worst.max(t.elapsed());
        }
        println!(
            "| {label} | {:.2} | {:.2} |",
            ms(start.elapsed()) / runs as f64,
            ms(worst)
        );
    }
    drop(store);

    watcher_latency(&root, &data, if full { 100 } else { 10 });
}

/// Time from a file's close to the `cache_updated` a subscriber receives for it.
fn watcher_latency(root: &Path, data: &Path, samples: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let hub = EventHub::new(HubConfig { history_size: 1024, client_queue: 1000 });
        let library = Library::open(root, data, hub.clone()).unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        watch::start(library.clone(), WatchConfig { os_watch: true, rescan_every: Duration::from_secs(3600) }, stop.clone());
        let mut sub = hub.subscribe(SubscribeRequest {
            last_event_id: None,
            filter: TypeFilter::only(&[EventType::CacheUpdated]),
            remote_addr: None,
            user_agent: None,
            owner: Default::default(),
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let folder = root.join("Latency");
        std::fs::create_dir_all(&folder).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        while sub.receiver.try_recv().is_ok() {}
        let body = longbox::demo::build_cbz(3, 1, None).unwrap();
        let mut lat = Vec::new();
        for i in 0..samples {
            let path = folder.join(format!("late {i}.cbz"));
            std::fs::write(&path, &body).unwrap(); // closes on return
            let closed = Instant::now();
            loop {
                let p = tokio::time::timeout(Duration::from_secs(5), sub.receiver.recv()).await.unwrap().unwrap();
                if std::str::from_utf8(&p.frame).unwrap().contains("1 added") {
                    break;
                }
            }
            lat.push(closed.elapsed());
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        lat.sort();
        println!(
            "\n| watcher: close → cache_updated ({samples} files) | p50 {:.1} ms | p90 {:.1} ms | max {:.1} ms |",
            ms(lat[lat.len() / 2]),
            ms(lat[lat.len() * 9 / 10]),
            ms(*lat.last().unwrap())
        );
        stop.cancel();
    });
}
