//! [`AppState`]: what every handler can reach, built once from the configuration with its
//! channels (the hub, the library, the job runner, the admission gate).

use crate::{auth, comic, config::Config, covers, hub, jobs, library};
use std::sync::Arc;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The resolved configuration.
    pub config: Arc<Config>,
    /// The event hub.
    pub hub: Arc<hub::EventHub>,
    /// The library: database, scans, watcher.
    pub library: Arc<library::Library>,
    /// Batch jobs.
    pub jobs: Arc<jobs::JobRunner>,
    /// Admission: the one place that says yes or no to a request.
    pub gate: Arc<auth::Gate>,
    /// Cover thumbnails (their generator runs in the background).
    pub covers: Arc<covers::Covers>,
}

impl AppState {
    /// Builds the state for a configuration: the hub, then the library and its database (inside
    /// a Tokio runtime, which its event announcer needs).
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let hub = hub::EventHub::new(hub::HubConfig {
            history_size: config.history_size,
            client_queue: config.client_queue,
        });
        let library = library::Library::open(&config.library, &config.data_dir, hub.clone())?;
        let stale = comic::archive::remove_recorded_temp_files(library.store().as_ref());
        if stale > 0 {
            tracing::warn!("removed {stale} temporary files left by an interrupted write");
        }
        let jobs = jobs::JobRunner::start(library.clone(), hub.clone(), hub.shutdown_token())?;
        let accounts =
            auth::Accounts::open(library.store().clone(), hub.clone(), config.session_idle)?;
        let gate = Arc::new(auth::Gate::new(&config, Arc::new(accounts)));
        let covers = covers::Covers::open(library.clone(), hub.clone())?;
        covers.start(hub.shutdown_token());
        Ok(Self {
            config: Arc::new(config),
            hub,
            library,
            jobs,
            gate,
            covers,
        })
    }
}
