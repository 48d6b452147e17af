//! The OS watch (notify, recursive) that keeps the file list following the disk.
//!
//! Created or modified files are *pending* until complete: close-after-write where the OS
//! reports it (inotify), else size and mtime quiet for a while. Renames, moves and deletes, of
//! files and folders, reconcile the named paths at once. When the OS watch cannot start (e.g.
//! the inotify limit), `running` is false and a periodic rescan keeps the list right.

use crate::library::Library;
use crate::paths::{is_comic, RelPath};
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Quiet time after which a pending file counts as complete without a close event. inotify
/// reports close-after-write, so on Linux this is only a safety net.
const QUIET: Duration = if cfg!(target_os = "linux") {
    Duration::from_secs(30)
} else {
    Duration::from_secs(2)
};

/// How often pending files are checked.
const PENDING_TICK: Duration = Duration::from_millis(500);

/// How the watcher should run.
#[derive(Debug, Clone, Copy)]
pub struct WatchConfig {
    /// Use the OS watch (false: periodic rescans only, as when the OS watch fails).
    pub os_watch: bool,
    /// Period of the fallback rescan.
    pub rescan_every: Duration,
}

/// Starts watching; runs until `stop`.
pub fn start(library: Arc<Library>, config: WatchConfig, stop: CancellationToken) {
    let (tx, rx) = mpsc::unbounded_channel::<notify::Event>();
    let watcher = if config.os_watch {
        match os_watch(&library, tx) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(
                    "OS watch failed ({e}); falling back to rescans every {:?}",
                    config.rescan_every
                );
                None
            }
        }
    } else {
        None
    };
    library.set_running(watcher.is_some());
    if watcher.is_none() {
        tokio::spawn(rescan_loop(
            library.clone(),
            config.rescan_every,
            stop.clone(),
        ));
    }
    tokio::spawn(event_loop(library, rx, watcher, stop));
}

fn os_watch(
    library: &Library,
    tx: mpsc::UnboundedSender<notify::Event>,
) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher =
        notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
            Ok(event) => {
                let _ = tx.send(event);
            }
            Err(e) => tracing::warn!("watch error: {e}"),
        })?;
    watcher.watch(library.root(), RecursiveMode::Recursive)?;
    Ok(watcher)
}

async fn rescan_loop(library: Arc<Library>, every: Duration, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        if let Err(e) = library.scan().await {
            tracing::error!("periodic rescan failed: {e:#}");
        }
    }
}

async fn event_loop(
    library: Arc<Library>,
    mut rx: mpsc::UnboundedReceiver<notify::Event>,
    watcher: Option<notify::RecommendedWatcher>,
    stop: CancellationToken,
) {
    let _keep_alive = watcher;
    let mut tick = tokio::time::interval(PENDING_TICK);
    loop {
        let mut now_complete = BTreeSet::new();
        tokio::select! {
            _ = stop.cancelled() => return,
            first = rx.recv() => {
                let Some(first) = first else { return };
                classify(&library, first, &mut now_complete);
                while let Ok(more) = rx.try_recv() {
                    classify(&library, more, &mut now_complete);
                }
            }
            _ = tick.tick() => {
                now_complete.extend(library.quiet_pending(QUIET).into_iter().inspect(|p| {
                    library.clear_pending(p);
                }));
            }
        }
        if now_complete.is_empty() {
            continue;
        }
        let paths: Vec<RelPath> = now_complete.into_iter().collect();
        let lib = library.clone();
        match tokio::task::spawn_blocking(move || lib.reconcile_paths(&paths)).await {
            Ok(Ok(changes)) => library.after_watch_change(&changes),
            Ok(Err(e)) => tracing::error!("watch reconcile failed: {e:#}"),
            Err(e) => tracing::error!("watch reconcile panicked: {e}"),
        }
    }
}

/// Sorts one OS event into "pending" (still being written) or "reconcile now".
fn classify(library: &Library, event: notify::Event, now: &mut BTreeSet<RelPath>) {
    let rels = event
        .paths
        .iter()
        .filter_map(|p| RelPath::from_disk(library.root(), p));
    for rel in rels {
        if rel.name().starts_with(".longbox") {
            continue;
        }
        match event.kind {
            // A writer closed the file: it is complete.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                library.clear_pending(&rel);
                now.insert(rel);
            }
            EventKind::Create(CreateKind::Folder) => {
                now.insert(rel);
            }
            EventKind::Create(_)
            | EventKind::Modify(ModifyKind::Data(_))
            | EventKind::Modify(ModifyKind::Any) => {
                let disk = rel.on_disk(library.root());
                if disk.is_dir() {
                    now.insert(rel);
                } else if is_comic(rel.name()) {
                    library.mark_pending(&rel);
                }
            }
            // Renames and moves are atomic: whatever is there now is complete.
            EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) => {
                library.clear_pending(&rel);
                now.insert(rel);
            }
            EventKind::Modify(ModifyKind::Metadata(_))
                if is_comic(rel.name()) && !library.is_pending(&rel) =>
            {
                now.insert(rel);
            }
            _ => {}
        }
    }
}
