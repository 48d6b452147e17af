//! Cover thumbnails: for every comic, a small JPEG of its cover page, made in the background
//! and on request, stored on disk by content hash, served with an `ETag` and, at a URL that
//! names the hash, cached by browsers for good.
//!
//! One concern per file:
//! - [`pick`]: which page is the cover (ComicInfo.xml's `FrontCover`, else the first image in
//!   natural order).
//! - [`decode`]: decoding it within limits (header checked before any pixel is decoded) and
//!   shrinking it.
//! - [`cache`]: the thumbnails on disk, keyed by the hash of the cover page's bytes (why that key:
//!   see there).
//! - `generate`: making one cover, and the background run over every file without one.
//!
//! The file list records each file's thumbnail key or why it has none (`db::covers`); a change
//! to a file (the watcher's reconcile, a rescan, Longbox's own rewrite or conversion) clears
//! both in the transaction that records the change, and wakes the generator. A file's cover URL
//! carries its key (`?v=<key>`), so a new thumbnail is a new URL.

pub mod cache;
pub mod decode;
mod generate;
pub mod pick;

use crate::hub::EventHub;
use crate::library::Library;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Covers made at once, in the background and on request together (each holds a decoded page
/// of up to [`decode::MAX_DECODE_BYTES`]).
pub const COVER_CONCURRENCY: usize = 2;

/// Largest cover page read from an archive, in bytes actually inflated (unpacked for `.cbr`).
pub const MAX_COVER_SOURCE_BYTES: u64 = 32 * 1024 * 1024;

/// Least time between two `covers_progress` events of one run (the last is always sent).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// Quiet time after a change to the file list before a run starts, so a burst of watcher
/// reconciles gives one run.
const SETTLE: Duration = Duration::from_millis(200);

/// Why a cover cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    /// The file is not in the library's list.
    #[error("{0}")]
    NotListed(String),
    /// The file has no page a cover can be made of (no image, a page over the limits, a broken
    /// archive); the reason is recorded until the file changes.
    #[error("{0}")]
    Unmakeable(String),
    /// Disk or database failure.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A thumbnail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Its content hash (the `ETag` and the URL's `v`).
    pub key: String,
    /// The JPEG.
    pub jpeg: Vec<u8>,
}

/// The covers of the library: the disk cache, the generator, and the permits both it and
/// requests take.
pub struct Covers {
    cache: cache::Cache,
    library: Arc<Library>,
    hub: Arc<EventHub>,
    permits: Arc<Semaphore>,
}

impl Covers {
    /// The covers of `library`, stored in its data dir. Nothing runs until [`Covers::start`].
    pub fn open(library: Arc<Library>, hub: Arc<EventHub>) -> anyhow::Result<Arc<Self>> {
        let cache = cache::Cache::open(library.data_dir())?;
        Ok(Arc::new(Self {
            cache,
            library,
            hub,
            permits: Arc::new(Semaphore::new(COVER_CONCURRENCY)),
        }))
    }
}
