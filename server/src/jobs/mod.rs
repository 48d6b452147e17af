//! Batch jobs: a queue run one job at a time, items in parallel (bounded), with real cancel,
//! persistence and resume after restarts, and a `job_updated` event after every item.
//!
//! - `plan`: what processing one file will do, decided without touching it (dry runs show it).
//! - [`process`]: applying a plan to one file.
//! - `undo`: putting back what a finished job changed.
//! - `dispatch`: one job item start to finish (processing or undo, then its history row).
//! - [`store`]: processing settings with their defaults; jobs themselves are in
//!   [`crate::db::jobs`].

mod dispatch;
mod plan;
pub mod process;
pub mod store;
mod undo;

use crate::db::jobs::{ItemResult, PendingItem};
use crate::db::Db;
use crate::hub::{unix_now, EventHub};
use crate::library::Library;
use crate::paths::RelPath;
use app::api::{ItemOutcome, JobAction, PreviewOutcome, Settings};
use app::events::{Event, FileProcessed, JobProgress, JobStatus, JobUpdated};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long newly completed comics are gathered into one automatic job.
const AUTO_BATCH: Duration = Duration::from_millis(300);

/// Runs jobs. Shared as `Arc<JobRunner>`.
pub struct JobRunner {
    /// The library the jobs work on.
    library: Arc<Library>,
    /// Where job and file events go.
    hub: Arc<EventHub>,
    /// Job ids waiting, in order.
    queue: Mutex<VecDeque<String>>,
    /// Wakes the scheduler.
    wake: Notify,
    /// Cancel switch per unfinished job.
    cancels: Mutex<HashMap<String, CancellationToken>>,
    /// Paths a worker is processing now (one file is never processed twice at once).
    busy: Mutex<HashSet<String>>,
    /// Current processing settings.
    settings: Mutex<Settings>,
    /// The scheduler task, so shutdown can wait for in-flight items to finish.
    tasks: TaskTracker,
}

impl JobRunner {
    /// Loads settings, re-queues unfinished jobs, and starts the scheduler and the watcher's
    /// automatic processing.
    pub fn start(
        library: Arc<Library>,
        hub: Arc<EventHub>,
        stop: CancellationToken,
    ) -> anyhow::Result<Arc<Self>> {
        let settings = store::settings(library.store(), library.watcher_status().enabled)?;
        let runner = Arc::new(Self {
            library: library.clone(),
            hub,
            queue: Mutex::new(VecDeque::new()),
            wake: Notify::new(),
            cancels: Mutex::new(HashMap::new()),
            busy: Mutex::new(HashSet::new()),
            settings: Mutex::new(settings),
            tasks: TaskTracker::new(),
        });
        for id in library.store().jobs().unfinished()? {
            tracing::info!(job = %id, "resuming unfinished job");
            runner.enqueue(id);
        }
        runner.tasks.spawn(runner.clone().schedule(stop.clone()));
        runner.tasks.close();
        tokio::spawn(runner.clone().auto_process(stop));
        Ok(runner)
    }

    /// Resolves once the scheduler has stopped after shutdown: items in flight have finished
    /// and been recorded, no new one started, and unfinished jobs stay queued for the next run.
    pub async fn stopped(&self) {
        self.tasks.wait().await;
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        let mut s = self.settings.lock().expect("settings lock").clone();
        s.watcher_enabled = self.library.watcher_status().enabled;
        s
    }

    /// Replaces the settings (already validated) and persists them.
    pub fn set_settings(&self, mut settings: Settings) -> anyhow::Result<Settings> {
        let current = self.settings();
        settings.convert_cbr = settings.convert_cbr.or(current.convert_cbr);
        settings.cbr_trash = settings.cbr_trash.or(current.cbr_trash);
        self.library.store().settings().set_processing(&settings)?;
        if settings.watcher_enabled != self.library.watcher_status().enabled {
            self.library.set_enabled(settings.watcher_enabled)?;
        }
        *self.settings.lock().expect("settings lock") = settings;
        Ok(self.settings())
    }

    fn enqueue(&self, id: String) {
        self.cancels
            .lock()
            .expect("cancel lock")
            .insert(id.clone(), CancellationToken::new());
        self.queue.lock().expect("queue lock").push_back(id);
        self.wake.notify_one();
    }

    /// Creates and queues a job over `paths` (deduplicated, order kept); returns its id.
    pub fn create(&self, action: JobAction, paths: Vec<String>) -> anyhow::Result<(String, u64)> {
        let mut seen = HashSet::new();
        let paths: Vec<String> = paths
            .into_iter()
            .filter(|p| seen.insert(p.clone()))
            .collect();
        let id = uuid::Uuid::new_v4().to_string();
        self.library
            .store()
            .jobs()
            .create(&id, action, &paths, unix_now(), None)?;
        let total = paths.len() as u64;
        self.publish_job(&id, JobStatus::Queued, JobProgress::new(0, total, 0, 0));
        self.enqueue(id.clone());
        Ok((id, total))
    }

    /// What a job over `paths` would do to each file, touching nothing. Blocking.
    pub fn preview(&self, action: JobAction, paths: &[RelPath]) -> app::api::JobPreview {
        let items = plan::preview(&self.library, paths, action, &self.settings());
        let count = |o: PreviewOutcome| items.iter().filter(|i| i.outcome == o).count() as u64;
        app::api::JobPreview {
            action,
            changes: count(PreviewOutcome::Change),
            conflicts: count(PreviewOutcome::Conflict),
            errors: count(PreviewOutcome::Error),
            items,
        }
    }

    /// Creates and queues a job that undoes finished job `source`: the files it changed, last
    /// first. `None` when it changed nothing.
    pub fn create_undo(&self, source: &str) -> anyhow::Result<Option<(String, u64)>> {
        let changes = self.library.store().jobs().changes(source)?;
        let paths: Vec<String> = changes
            .into_iter()
            .rev()
            .filter(|c| c.after.is_some())
            .map(|c| c.new_path)
            .collect();
        if paths.is_empty() {
            return Ok(None);
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = unix_now();
        self.library
            .store()
            .jobs()
            .create(&id, JobAction::Undo, &paths, now, Some(source))?;
        let total = paths.len() as u64;
        self.publish_job(&id, JobStatus::Queued, JobProgress::new(0, total, 0, 0));
        self.enqueue(id.clone());
        Ok(Some((id, total)))
    }

    /// Asks a job to stop: no new item starts; the status ends `cancelled`. Returns false when
    /// the job is already finished.
    pub fn cancel(&self, id: &str) -> bool {
        match self.cancels.lock().expect("cancel lock").get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn publish_job(&self, id: &str, status: JobStatus, progress: JobProgress) {
        self.hub.publish(Event::JobUpdated(JobUpdated {
            job_id: id.to_string(),
            status,
            progress,
        }));
    }

    async fn schedule(self: Arc<Self>, stop: CancellationToken) {
        loop {
            if stop.is_cancelled() {
                return;
            }
            let next = self.queue.lock().expect("queue lock").pop_front();
            match next {
                Some(id) => {
                    if let Err(e) = self.clone().run_job(&id, &stop).await {
                        tracing::error!(job = %id, "job failed: {e:#}");
                        let store = self.library.store().clone();
                        let jid = id.clone();
                        let progress = tokio::task::spawn_blocking(move || {
                            store
                                .jobs()
                                .set_status(&jid, JobStatus::Failed, unix_now())?;
                            anyhow::Ok(store.jobs().get(&jid, false)?.map(|j| j.progress))
                        })
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .flatten()
                        .unwrap_or_default();
                        self.publish_job(&id, JobStatus::Failed, progress);
                    }
                    self.cancels.lock().expect("cancel lock").remove(&id);
                }
                None => tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = self.wake.notified() => {}
                },
            }
        }
    }

    async fn run_job(self: Arc<Self>, id: &str, stop: &CancellationToken) -> anyhow::Result<()> {
        let store = self.library.store().clone();
        let (job, pending) = {
            let (store, id) = (store.clone(), id.to_string());
            tokio::task::spawn_blocking(move || {
                let job = store.jobs().get(&id, false)?;
                let pending = store.jobs().pending_items(&id)?;
                anyhow::Ok((job, pending))
            })
            .await??
        };
        let Some(job) = job else { return Ok(()) };
        let cancel = self
            .cancels
            .lock()
            .expect("cancel lock")
            .get(id)
            .cloned()
            .unwrap_or_default();
        let progress = Arc::new(Mutex::new(job.progress));
        set_status(&store, id, JobStatus::Processing).await?;
        self.publish_job(id, JobStatus::Processing, job.progress);
        let settings = self.settings();
        let workers = Arc::new(Semaphore::new(settings.parallelism.max(1) as usize));
        let mut running = tokio::task::JoinSet::new();
        for item in pending {
            let permit = tokio::select! {
                _ = cancel.cancelled() => break,
                _ = stop.cancelled() => break,
                p = workers.clone().acquire_owned() => p?,
            };
            if cancel.is_cancelled() || stop.is_cancelled() {
                break;
            }
            let this = self.clone();
            let (id, settings, progress) = (id.to_string(), settings.clone(), progress.clone());
            running.spawn(async move {
                let _permit = permit;
                this.run_item(&id, item, job.action, settings, progress)
                    .await
            });
            // Collect finished workers as we go, so errors surface early.
            while let Some(done) = running.try_join_next() {
                done??;
            }
        }
        while let Some(done) = running.join_next().await {
            done??;
        }
        let unfinished = progress.lock().expect("progress lock").processed < job.progress.total;
        if stop.is_cancelled() && unfinished && !cancel.is_cancelled() {
            // Shutting down: the items in flight are done and recorded; the rest waits for the
            // next start, when the job resumes from its first pending item.
            tracing::info!(job = %id, "stopping: job will resume on the next start");
            return Ok(());
        }
        let final_status = if cancel.is_cancelled()
            && progress.lock().expect("progress lock").processed < job.progress.total
        {
            JobStatus::Cancelled
        } else {
            JobStatus::Completed
        };
        set_status(&store, id, final_status).await?;
        let last = *progress.lock().expect("progress lock");
        self.publish_job(id, final_status, last);
        Ok(())
    }

    async fn run_item(
        self: Arc<Self>,
        id: &str,
        item: PendingItem,
        action: JobAction,
        settings: Settings,
        progress: Arc<Mutex<JobProgress>>,
    ) -> anyhow::Result<()> {
        let (idx, path) = (item.idx, item.path.clone());
        // One file is never processed by two workers at once.
        while !self.busy.lock().expect("busy lock").insert(path.clone()) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let this = self.clone();
        let (jid, p) = (id.to_string(), path.clone());
        let processed = tokio::task::spawn_blocking(move || match RelPath::parse(&p) {
            Ok(origin) => {
                let rel = this.resumed_path(&origin, item.intent.as_deref());
                let key = process::ItemKey { job_id: &jid, idx };
                dispatch::run(&this.library, &origin, &rel, action, &settings, Some(key))
            }
            Err(e) => process::Processed {
                result: ItemResult {
                    outcome: ItemOutcome::Failed,
                    new_path: p.clone(),
                    error: Some(e.to_string()),
                },
                tags: None,
            },
        })
        .await;
        self.busy.lock().expect("busy lock").remove(&path);
        let result = processed?.result;
        let new_path = result.new_path.clone();
        self.hub.publish(Event::FileProcessed(FileProcessed {
            filename: new_path.rsplit('/').next().unwrap_or(&new_path).to_string(),
            filepath: new_path,
            success: result.is_success(),
            error: if result.is_success() {
                None
            } else {
                result.error.clone()
            },
        }));
        // Counters, persistence and the event happen under one lock so `processed` rises by
        // exactly one per event.
        let store = self.library.store().clone();
        let mut p = progress.lock().expect("progress lock");
        let (ok, err) = if result.is_success() { (1, 0) } else { (0, 1) };
        *p = JobProgress::new(p.processed + 1, p.total, p.success + ok, p.errors + err);
        store.jobs().finish_item(id, idx, &result, &p)?;
        self.publish_job(id, JobStatus::Processing, *p);
        Ok(())
    }

    /// Where an item's file is now: at its recorded rename target when the server stopped right
    /// after renaming it (the old name is gone and the target exists), else where it was.
    fn resumed_path(&self, origin: &RelPath, intent: Option<&str>) -> RelPath {
        let root = self.library.root();
        match intent.and_then(|i| RelPath::parse(i).ok()) {
            Some(target) if !origin.on_disk(root).exists() && target.on_disk(root).exists() => {
                tracing::info!(from = %origin, to = %target, "resumed item was already renamed");
                target
            }
            _ => origin.clone(),
        }
    }

    /// Newly completed comics become automatic `process` jobs (gathered for a moment, so a
    /// copied folder is one job).
    async fn auto_process(self: Arc<Self>, stop: CancellationToken) {
        let mut rx = self.library.new_files_channel();
        loop {
            let first = tokio::select! {
                _ = stop.cancelled() => return,
                f = rx.recv() => match f { Some(f) => f, None => return },
            };
            let mut batch = vec![first.to_string()];
            let deadline = tokio::time::Instant::now() + AUTO_BATCH;
            while let Ok(Some(more)) = tokio::time::timeout_at(deadline, rx.recv()).await {
                batch.push(more.to_string());
            }
            if let Err(e) = self.create(JobAction::Process, batch) {
                tracing::error!("cannot create automatic job: {e:#}");
            }
        }
    }
}

/// Sets a job's status from async code.
async fn set_status(store: &Arc<Db>, id: &str, status: JobStatus) -> anyhow::Result<()> {
    let (store, id) = (store.clone(), id.to_string());
    tokio::task::spawn_blocking(move || store.jobs().set_status(&id, status, unix_now())).await?
}
