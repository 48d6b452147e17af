//! Making covers: one on request, or every missing one in a background run with bounded
//! concurrency and `covers_progress` events.

use super::{cache, decode, pick, CoverError, Covers, Thumbnail};
use super::{MAX_COVER_SOURCE_BYTES, PROGRESS_INTERVAL, SETTLE};
use crate::comic::{archive, rar};
use crate::db::covers::Missing;
use crate::paths::RelPath;
use app::events::{CoversProgress, Event};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Makes the thumbnail of the comic at `disk` (or finds it stored): its key, or why there can
/// be none. The outer error is the disk failing, not the comic.
fn make(disk: &Path, cache: &cache::Cache) -> anyhow::Result<Result<String, String>> {
    let name = disk
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    let choose = |names: &[String], xml: Option<&str>| pick::choose(names, xml);
    let read = match name.as_deref() {
        Some(n) if n.ends_with(".cbz") => {
            archive::read_chosen(disk, &choose, MAX_COVER_SOURCE_BYTES)
        }
        Some(n) if n.ends_with(".cbr") => rar::read_chosen(disk, &choose, MAX_COVER_SOURCE_BYTES),
        _ => return Ok(Err("not a comic archive".into())),
    };
    let (page, bytes) = match read {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(Err("the archive has no image pages".into())),
        Err(e) => return Ok(Err(e.to_string())),
    };
    let key = cache::key_of(&bytes);
    if cache.has(&key) {
        return Ok(Ok(key));
    }
    match decode::thumbnail(&bytes) {
        Ok(jpeg) => {
            cache.put(&key, &jpeg)?;
            Ok(Ok(key))
        }
        Err(e) => Ok(Err(format!("cover page {page}: {e}"))),
    }
}

impl Covers {
    /// Makes `file`'s cover and records it (or why there is none) if the file is still listed
    /// as it was; blocking, and the caller holds a permit.
    fn make_recorded(&self, file: &Missing) -> anyhow::Result<Result<String, String>> {
        let rel = RelPath::parse(&file.path)?;
        let made = make(&rel.on_disk(self.library.root()), &self.cache)?;
        let result = made.as_deref().map_err(String::as_str);
        self.library
            .store()
            .covers()
            .set(&file.path, file.size, file.mtime_ns, result)?;
        Ok(made)
    }

    /// `rel`'s thumbnail: the stored one, else made now (waiting for a permit).
    pub async fn thumbnail(self: &Arc<Self>, rel: &RelPath) -> Result<Thumbnail, CoverError> {
        let this = self.clone();
        let path = rel.to_string();
        let record = tokio::task::spawn_blocking(move || this.library.store().covers().get(&path))
            .await
            .map_err(anyhow::Error::from)??
            .ok_or_else(|| CoverError::NotListed(format!("no file {rel} in the library")))?;
        if let Some(key) = &record.key {
            let (this, key) = (self.clone(), key.clone());
            let stored = tokio::task::spawn_blocking(move || this.cache.get(&key))
                .await
                .map_err(anyhow::Error::from)?;
            if let Some(jpeg) = stored {
                let key = record.key.clone().unwrap_or_default();
                return Ok(Thumbnail { key, jpeg });
            }
        } else if let Some(why) = record.error {
            return Err(CoverError::Unmakeable(format!("{rel}: {why}")));
        }
        // Not made yet, or its file was removed from the cache: make it now.
        let _permit = self.permits.acquire().await.map_err(anyhow::Error::from)?;
        let this = self.clone();
        let file = Missing {
            path: rel.to_string(),
            size: record.size,
            mtime_ns: record.mtime_ns,
        };
        let made = tokio::task::spawn_blocking(move || {
            let made = this.make_recorded(&file)?;
            anyhow::Ok(match made {
                Ok(key) => Ok(Thumbnail {
                    jpeg: this.cache.get(&key).unwrap_or_default(),
                    key,
                }),
                Err(why) => Err(why),
            })
        })
        .await
        .map_err(anyhow::Error::from)??;
        made.map_err(|why| CoverError::Unmakeable(format!("{rel}: {why}")))
    }

    /// Makes every missing cover, [`super::COVER_CONCURRENCY`] at a time, publishing
    /// `covers_progress` (at most every [`PROGRESS_INTERVAL`], and at the end). Stops starting
    /// new ones once `stop` is cancelled. Returns how many were done.
    pub async fn make_missing(self: &Arc<Self>, stop: &CancellationToken) -> anyhow::Result<u64> {
        let store = self.library.store().clone();
        let todo = tokio::task::spawn_blocking(move || store.covers().missing()).await??;
        if todo.is_empty() {
            return Ok(0);
        }
        let total = todo.len() as u64;
        let publish = |done| {
            self.hub
                .publish(Event::CoversProgress(CoversProgress { done, total }))
        };
        publish(0);
        let (mut done, mut last) = (0u64, Instant::now());
        let mut running = tokio::task::JoinSet::new();
        let mut finished = |result: Result<anyhow::Result<_>, tokio::task::JoinError>| {
            match result {
                Ok(Ok(Err(why))) => tracing::debug!("no cover: {why}"),
                Ok(Err(e)) => tracing::warn!("cover failed: {e:#}"),
                Err(e) => tracing::warn!("cover task failed: {e}"),
                Ok(Ok(Ok(_))) => {}
            }
            done += 1;
            if last.elapsed() >= PROGRESS_INTERVAL {
                last = Instant::now();
                publish(done);
            }
        };
        for file in todo {
            if stop.is_cancelled() {
                break;
            }
            let permit = self.permits.clone().acquire_owned().await?;
            let this = self.clone();
            running.spawn_blocking(move || {
                let _permit = permit;
                this.make_recorded(&file)
            });
            while let Some(result) = running.try_join_next() {
                finished(result);
            }
        }
        while let Some(result) = running.join_next().await {
            finished(result);
        }
        publish(done);
        Ok(done)
    }

    /// Starts the background generator: a run now, and one after each change to the file list
    /// (once it has been quiet for a moment), until `stop`.
    pub fn start(self: &Arc<Self>, stop: CancellationToken) {
        let this = self.clone();
        tokio::spawn(async move {
            // Thumbnails of files that changed or left while Longbox was not running.
            let sweep = this.clone();
            let swept = tokio::task::spawn_blocking(move || {
                let used = sweep.library.store().covers().keys()?;
                anyhow::Ok(sweep.cache.remove_unused(&used))
            })
            .await;
            match swept {
                Ok(Ok(n)) if n > 0 => tracing::info!("removed {n} unused cover thumbnails"),
                Ok(Err(e)) => tracing::warn!("cover sweep failed: {e:#}"),
                _ => {}
            }
            loop {
                if let Err(e) = this.make_missing(&stop).await {
                    tracing::warn!("cover run failed: {e:#}");
                }
                let changed = this.library.store().files_changed();
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = changed.notified() => {}
                }
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(SETTLE) => {}
                }
            }
        });
    }
}
