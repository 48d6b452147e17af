//! Binding, serving and graceful shutdown.

use crate::config::Config;
use crate::library::watch::{self, WatchConfig};
use crate::state::AppState;
use crate::{http, listener, site};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long open connections get to finish after shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long the job items in flight get to finish after shutdown starts (an item is one
/// archive rewrite; a rewrite cut short is harmless, only slower to resume).
const JOB_STOP_GRACE: Duration = Duration::from_secs(20);

/// A bound, not yet serving server (tests bind to port 0 and read [`Server::addr`]).
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Binds the configured address and builds the state.
    pub async fn bind(config: Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.addr))?;
        Ok(Self {
            listener,
            state: AppState::new(config)?,
        })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener")
    }

    /// The shared state (hub, config), e.g. for tests that publish directly.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `stop` is cancelled, then ends every event stream and returns.
    pub async fn serve(self, stop: CancellationToken) -> anyhow::Result<()> {
        let addr = self.addr();
        let options = site::leptos_options(addr);
        let app = http::router(self.state.clone(), options);
        let hub = self.state.hub.clone();
        // Watch first, then scan, so nothing that changes during the scan is missed.
        let watch_config = WatchConfig {
            os_watch: self.state.config.os_watch,
            rescan_every: Duration::from_secs(self.state.config.rescan_secs),
        };
        watch::start(self.state.library.clone(), watch_config, stop.clone());
        let library = self.state.library.clone();
        tokio::spawn(async move {
            if let Err(e) = library.scan().await {
                tracing::error!("start-up scan failed: {e:#}");
            }
        });
        tracing::info!("Longbox listening on http://{addr}");
        let closing = {
            let stop = stop.clone();
            async move {
                stop.cancelled().await;
                tracing::info!("shutting down: closing event streams");
                hub.close_all();
            }
        };
        tokio::spawn(closing);
        // Last-use times of sessions and keys live in memory: written once a minute and at exit,
        // when expired sessions are swept too.
        let accounts = self.state.gate.accounts().clone();
        let flush = {
            let (accounts, stop) = (accounts.clone(), stop.clone());
            async move {
                let mut every = tokio::time::interval(crate::auth::accounts::TOUCH_FLUSH_EVERY);
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = every.tick() => {}
                    }
                    let accounts = accounts.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        accounts.flush_touches()?;
                        accounts.sweep_expired()
                    })
                    .await;
                }
            }
        };
        tokio::spawn(flush);
        let jobs = self.state.jobs.clone();
        let config = &self.state.config;
        let door = listener::Door {
            gate: self.state.gate.clone(),
            router: app,
            hub: self.state.hub.clone(),
            heartbeat: Duration::from_secs(config.heartbeat_secs),
            head_timeout: config.head_timeout,
            max_connections: config.max_connections,
            max_connections_per_ip: config.max_connections_per_ip,
        };
        listener::serve(self.listener, door, stop, SHUTDOWN_GRACE).await;
        if tokio::time::timeout(JOB_STOP_GRACE, jobs.stopped())
            .await
            .is_err()
        {
            tracing::warn!("job items still running after {JOB_STOP_GRACE:?}; exiting anyway");
        }
        if let Err(e) = tokio::task::spawn_blocking(move || accounts.flush_touches()).await {
            tracing::warn!("could not store session last-use times: {e}");
        }
        Ok(())
    }
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    raise_fd_limit();
    let server = Server::bind(config).await?;
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        async move {
            shutdown_signal().await;
            stop.cancel();
        }
    });
    server.serve(stop).await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("install SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}

/// Raises the soft open-files limit to the hard one: every event stream is a socket.
/// Returns the limit now in force.
pub fn raise_fd_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain getrlimit/setrlimit calls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
    lim.rlim_cur
}
