//! The library: what is on disk, kept in the database's file list, announced through the hub.
//!
//! - [`scan`]: walking the folder and reconciling it with the file list.
//! - [`watch`]: the OS watch that keeps the list following the disk.
//! - [`paths`]: re-export of [`crate::paths`], where callers have always found it.
//!
//! [`Library`] ties them together: full rescans, incremental reconciles of paths the watcher
//! names, the watcher's `running`/`enabled` state, and coalesced `cache_updated` events.

pub mod scan;
pub mod watch;

pub use crate::paths;

use crate::db::files::Changes;
use crate::db::Db;
use crate::hub::{unix_now, EventHub};
use crate::paths::RelPath;
use app::events::{CacheUpdated, Event, WatcherStatus};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch as tokio_watch};

/// Least time between two `cache_updated` events (at most ~10 per second).
const CACHE_EVENT_INTERVAL: Duration = Duration::from_millis(100);

/// How long a path Longbox wrote itself is remembered, so the watcher does not take it for new.
const OWN_CHANGE_TTL: Duration = Duration::from_secs(30);

/// Timing of the last full scan.
#[derive(Debug, Clone, Copy)]
pub struct ScanInfo {
    /// Unix seconds when it finished.
    pub at: f64,
    /// How long it took.
    pub millis: u64,
}

/// The library and everything that keeps its list right.
pub struct Library {
    /// Canonical root folder.
    root: PathBuf,
    /// Where Longbox keeps its state (the default trash of converted `.cbr` files is here).
    data_dir: PathBuf,
    /// The database.
    store: Arc<Db>,
    /// Where events go.
    hub: Arc<EventHub>,
    /// Latest `cache_updated` to announce; a task sends at most one per interval.
    announce: tokio_watch::Sender<Option<CacheUpdated>>,
    /// A full scan is running.
    scanning: AtomicBool,
    /// Serialises full scans.
    scan_lock: tokio::sync::Mutex<()>,
    /// The last full scan.
    last_scan: Mutex<Option<ScanInfo>>,
    /// The OS watch is active.
    running: AtomicBool,
    /// New comics are processed automatically.
    enabled: AtomicBool,
    /// Files still being written: listed only once complete.
    pending: Mutex<HashMap<String, Instant>>,
    /// Paths Longbox itself just created by renaming or rewriting.
    own_changes: Mutex<HashMap<String, Instant>>,
    /// Receives newly completed comics (for automatic processing).
    new_files: Mutex<Option<mpsc::UnboundedSender<RelPath>>>,
    /// Serialises Longbox's own renames/rewrites with the watcher's reconciles, so neither sees
    /// the other half-done.
    write_lock: Mutex<()>,
    /// Fault injection for tests: the archive-rewrite step made to fail (`None` in production).
    write_fault: Mutex<Option<crate::comic::archive::WriteStep>>,
}

impl Library {
    /// Opens the database and starts the `cache_updated` announcer.
    pub fn open(root: &Path, data_dir: &Path, hub: Arc<EventHub>) -> anyhow::Result<Arc<Self>> {
        let store = Arc::new(Db::open(data_dir)?);
        let enabled = store.settings().watcher_enabled()?.unwrap_or(true);
        let (announce, mut rx) = tokio_watch::channel(None::<CacheUpdated>);
        let announcer_hub = hub.clone();
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let latest = rx.borrow_and_update().clone();
                if let Some(update) = latest {
                    announcer_hub.publish(Event::CacheUpdated(update));
                }
                tokio::time::sleep(CACHE_EVENT_INTERVAL).await;
            }
        });
        Ok(Arc::new(Self {
            root: root.to_path_buf(),
            data_dir: data_dir.to_path_buf(),
            store,
            hub,
            announce,
            scanning: AtomicBool::new(false),
            scan_lock: tokio::sync::Mutex::new(()),
            last_scan: Mutex::new(None),
            running: AtomicBool::new(false),
            enabled: AtomicBool::new(enabled),
            pending: Mutex::new(HashMap::new()),
            own_changes: Mutex::new(HashMap::new()),
            new_files: Mutex::new(None),
            write_lock: Mutex::new(()),
            write_fault: Mutex::new(None),
        }))
    }

    /// The library folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where Longbox keeps its state.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The database.
    pub fn store(&self) -> &Arc<Db> {
        &self.store
    }

    /// Queues a `cache_updated`; bursts collapse to the latest.
    fn announce(&self, rebuild_complete: bool, message: String) {
        self.announce.send_replace(Some(CacheUpdated {
            rebuild_complete,
            message,
        }));
    }

    /// A full rescan: `cache_updated{false}` now, `{true}` once the result is committed.
    pub async fn scan(self: &Arc<Self>) -> anyhow::Result<Changes> {
        let _one_at_a_time = self.scan_lock.lock().await;
        self.scanning.store(true, Ordering::SeqCst);
        self.announce(false, "rescanning the library".into());
        let started = Instant::now();
        let this = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            // Walk and commit as one step against Longbox's own renames.
            let _exclusive = this.write_lock.lock().expect("write lock");
            let mut found = scan::walk(&this.root, &this.root);
            let pending = this.pending.lock().expect("pending lock").clone();
            found.retain(|f| !pending.contains_key(f.path.as_str()));
            let changes = scan::reconcile(&this.store.files().snapshot()?, found);
            if !changes.is_empty() {
                this.store.files().apply(&changes, unix_now())?;
            }
            anyhow::Ok(changes)
        })
        .await?;
        self.scanning.store(false, Ordering::SeqCst);
        let changes = result?;
        let info = ScanInfo {
            at: unix_now(),
            millis: started.elapsed().as_millis() as u64,
        };
        *self.last_scan.lock().expect("scan lock") = Some(info);
        tracing::info!(took_ms = info.millis, "scan: {}", changes.summary());
        self.announce(true, format!("scan complete: {}", changes.summary()));
        Ok(changes)
    }

    /// Reconciles the given paths (files or folders) with the disk, in one transaction.
    /// Returns what changed; blocking.
    pub fn reconcile_paths(&self, paths: &[RelPath]) -> anyhow::Result<Changes> {
        let _exclusive = self.write_lock.lock().expect("write lock");
        let mut found = Vec::new();
        let mut stored = HashMap::new();
        let pending = self.pending.lock().expect("pending lock").clone();
        for rel in paths {
            let disk = rel.on_disk(&self.root);
            let meta = std::fs::symlink_metadata(&disk).ok();
            if meta.as_ref().is_some_and(|m| m.is_dir()) {
                found.extend(scan::walk(&self.root, &disk));
            } else if let Some(f) = scan::stat_file(&self.root, rel) {
                found.push(f);
            }
            for p in self.store.files().paths_under(rel.as_str())? {
                stored.insert(p, ());
            }
        }
        found.retain(|f| !pending.contains_key(f.path.as_str()));
        let snapshot = self.store.files().snapshot_of(stored.keys())?;
        let changes = scan::reconcile(&snapshot, found);
        if !changes.is_empty() {
            self.store.files().apply(&changes, unix_now())?;
        }
        Ok(changes)
    }

    /// Called after the watcher's reconcile: announce, and hand new comics to auto-processing.
    pub(crate) fn after_watch_change(&self, changes: &Changes) {
        if changes.is_empty() {
            return;
        }
        self.announce(true, changes.summary());
        let mut own = self.own_changes.lock().expect("own lock");
        own.retain(|_, at| at.elapsed() < OWN_CHANGE_TTL);
        // Only files new to the library count; a rename of a listed file is not a new comic.
        let fresh: Vec<RelPath> = changes
            .added
            .iter()
            .map(|f| f.path.clone())
            .filter(|p| own.remove(p.as_str()).is_none())
            .collect();
        drop(own);
        if !self.enabled.load(Ordering::SeqCst) {
            return;
        }
        if let Some(tx) = self.new_files.lock().expect("new files lock").as_ref() {
            for p in fresh {
                let _ = tx.send(p);
            }
        }
    }

    /// Runs a change to disk and store that the watcher must not observe half-done.
    pub fn write_locked<T>(&self, f: impl FnOnce() -> T) -> T {
        let _exclusive = self.write_lock.lock().expect("write lock");
        f()
    }

    /// Makes every archive rewrite fail at `step` until cleared (fault injection for tests).
    pub fn set_write_fault(&self, step: Option<crate::comic::archive::WriteStep>) {
        *self.write_fault.lock().expect("fault lock") = step;
    }

    /// The injected archive-rewrite fault, if any.
    pub fn write_fault(&self) -> Option<crate::comic::archive::WriteStep> {
        *self.write_fault.lock().expect("fault lock")
    }

    /// Remembers that Longbox itself is about to create `path` (rename or rewrite), so the
    /// watcher never takes it for a new comic.
    pub fn note_own_change(&self, path: &RelPath) {
        self.own_changes
            .lock()
            .expect("own lock")
            .insert(path.as_str().to_string(), Instant::now());
    }

    /// Newly completed comics arrive here while the watcher is enabled.
    pub fn new_files_channel(&self) -> mpsc::UnboundedReceiver<RelPath> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.new_files.lock().expect("new files lock") = Some(tx);
        rx
    }

    /// Marks a path as being written (not listed until complete).
    pub(crate) fn mark_pending(&self, path: &RelPath) {
        self.pending
            .lock()
            .expect("pending lock")
            .insert(path.as_str().to_string(), Instant::now());
    }

    /// Clears a path's pending mark; returns whether it had one.
    pub(crate) fn clear_pending(&self, path: &RelPath) -> bool {
        self.pending
            .lock()
            .expect("pending lock")
            .remove(path.as_str())
            .is_some()
    }

    /// Whether a path is still being written.
    pub(crate) fn is_pending(&self, path: &RelPath) -> bool {
        self.pending
            .lock()
            .expect("pending lock")
            .contains_key(path.as_str())
    }

    /// Pending paths quiet for at least `quiet`.
    pub(crate) fn quiet_pending(&self, quiet: Duration) -> Vec<RelPath> {
        self.pending
            .lock()
            .expect("pending lock")
            .iter()
            .filter(|(_, at)| at.elapsed() >= quiet)
            .filter_map(|(p, _)| RelPath::parse(p).ok())
            .collect()
    }

    /// `running` and `enabled`.
    pub fn watcher_status(&self) -> WatcherStatus {
        WatcherStatus {
            running: self.running.load(Ordering::SeqCst),
            enabled: self.enabled.load(Ordering::SeqCst),
        }
    }

    pub(crate) fn set_running(&self, running: bool) {
        if self.running.swap(running, Ordering::SeqCst) != running {
            self.hub
                .publish(Event::WatcherStatus(self.watcher_status()));
        }
    }

    /// Switches automatic processing; persists and publishes `watcher_status`.
    pub fn set_enabled(&self, enabled: bool) -> anyhow::Result<WatcherStatus> {
        self.store.settings().set_watcher_enabled(enabled)?;
        self.enabled.store(enabled, Ordering::SeqCst);
        let status = self.watcher_status();
        self.hub.publish(Event::WatcherStatus(status));
        Ok(status)
    }

    /// A full scan is running.
    pub fn is_scanning(&self) -> bool {
        self.scanning.load(Ordering::SeqCst)
    }

    /// The last full scan, if any finished.
    pub fn last_scan(&self) -> Option<ScanInfo> {
        *self.last_scan.lock().expect("scan lock")
    }
}
