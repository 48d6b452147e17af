//! The real `longbox` binary stopped in the middle of a job, politely (SIGTERM) and not
//! (SIGKILL): no broken archive, no temp file left, and the job resumes to the end with no
//! false "file no longer exists" for items whose rename had already happened.

mod common;

use common::{eventually, get_json, PATIENCE};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A `longbox` process on a free loopback port.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    async fn start(library: &Path, data: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_longbox"))
            .args(["--library", library.to_str().unwrap()])
            .args(["--data-dir", data.to_str().unwrap()])
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg("--no-auth")
            .env("RUST_LOG", "warn")
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let health = format!("{base}/api/health");
        eventually("the server answers", || async {
            reqwest::get(&health)
                .await
                .ok()
                .filter(|r| r.status() == 200)
        })
        .await;
        Self { child, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = reqwest::Client::new()
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn job(&self, id: &str) -> Value {
        get_json(&self.url(&format!("/api/jobs/{id}"))).await.1
    }

    fn signal(&self, signal: i32) {
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    /// Waits for the process to exit on its own (bounded); returns whether it exited cleanly.
    fn wait(mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("longbox did not exit after the signal");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn library_with(count: usize, page_bytes: usize) -> (tempfile::TempDir, tempfile::TempDir) {
    let (library, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let folder = library.path().join("Big");
    std::fs::create_dir(&folder).unwrap();
    for i in 1..=count {
        let cbz = longbox::demo::build_noise_cbz(4, page_bytes, i as u64).unwrap();
        std::fs::write(folder.join(format!("Big {i}.cbz")), cbz).unwrap();
    }
    (library, data)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// No temp file anywhere, and every archive opens with all its pages.
fn assert_library_sound(dir: &Path, count: usize) {
    let files = files_in(dir);
    assert_eq!(files.len(), count, "{files:?}");
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.starts_with(".longbox-tmp-"), "temp file left: {name}");
        let zip = zip::ZipArchive::new(std::fs::File::open(&f).unwrap())
            .unwrap_or_else(|e| panic!("{name} is broken: {e}"));
        assert!(zip.len() >= 4, "{name}");
    }
}

/// Starts a job over every file, stops the server with `signal` once `after` items are done,
/// restarts it, and checks the job completes with every file processed and no error.
async fn interrupt_and_resume(
    action: &str,
    count: usize,
    page_bytes: usize,
    after: u64,
    signal: i32,
) {
    let (library, data) = library_with(count, page_bytes);
    let first = Process::start(library.path(), data.path()).await;
    first.post("/api/watcher", json!({"enabled": false})).await;
    eventually("the scan lists every file", || async {
        let (_, s) = get_json(&first.url("/api/cache/stats")).await;
        (s["total_files"] == count).then_some(())
    })
    .await;
    let created = first
        .post("/api/jobs", json!({"action": action, "files": "all"}))
        .await;
    let id = created["job_id"].as_str().unwrap().to_string();
    let progressed = eventually("the job is under way", || async {
        let j = first.job(&id).await;
        (j["progress"]["processed"].as_u64().unwrap_or(0) >= after).then_some(j)
    })
    .await;
    assert_ne!(progressed["status"], "completed", "stopped mid-job");
    first.signal(signal);
    let clean = first.wait();
    if signal == libc::SIGTERM {
        assert!(clean, "SIGTERM exits cleanly");
    }
    let second = Process::start(library.path(), data.path()).await;
    let job = tokio::time::timeout(PATIENCE * 6, async {
        loop {
            let j = second.job(&id).await;
            if j["status"] == "completed" {
                return j;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the resumed job completes");
    let errors: Vec<&Value> = job["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["outcome"] == "failed")
        .collect();
    assert!(
        errors.is_empty(),
        "no false errors after the stop: {errors:?}"
    );
    assert_eq!(job["progress"]["processed"], count);
    for i in 1..=count {
        let renamed = library.path().join(format!("Big/Big - Chapter {i:04}.cbz"));
        assert!(renamed.exists(), "{} missing", renamed.display());
    }
    drop(second);
    assert_library_sound(library.path(), count);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_job_finishes_in_flight_items_and_the_job_resumes() {
    interrupt_and_resume("process", 40, 256 * 1024, 3, libc::SIGTERM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_rename_job_leaves_no_false_errors() {
    interrupt_and_resume("rename", 300, 1024, 40, libc::SIGKILL).await;
}
