//! Command-line flags and their environment equivalents, turned into a [`Config`].

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// `longbox`: a self-hosted comic library maintainer with a live web UI.
#[derive(Debug, Parser)]
#[command(name = "longbox", version, about)]
pub struct Cli {
    /// What to do; serving the library when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of the server.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands besides serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a sample library of comics into DIR (created if missing).
    DemoLibrary {
        /// Folder to write the sample library into.
        dir: PathBuf,
    },
    /// Rewrite FILE's ComicInfo.xml with Series/Number/Title (crash-safety tests use this).
    #[command(hide = true)]
    TagArchive {
        /// The .cbz to rewrite.
        file: PathBuf,
        /// Series to write.
        series: String,
        /// Number to write.
        number: String,
        /// Data dir whose store records the temp file (so a crash's leftovers can be cleaned).
        #[arg(long)]
        data_dir: PathBuf,
    },
}

/// Flags of the server.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Folder of comic archives to watch and maintain.
    #[arg(long, env = "LONGBOX_LIBRARY")]
    pub library: Option<PathBuf>,
    /// Folder for everything the server stores (database, job state).
    #[arg(long, env = "LONGBOX_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on; wins over the Leptos site address.
    #[arg(long, env = "LONGBOX_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Seconds between `: heartbeat` comments on event streams.
    #[arg(long, env = "LONGBOX_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Events kept for replay to reconnecting clients.
    #[arg(long, env = "LONGBOX_HISTORY_SIZE", default_value_t = 1024)]
    pub history_size: usize,
    /// Events queued per client before it is dropped as too slow.
    #[arg(long, env = "LONGBOX_CLIENT_QUEUE", default_value_t = 100)]
    pub client_queue: usize,
    /// Do not use the OS file watch; rescan every --rescan-secs instead (e.g. network shares).
    #[arg(long, env = "LONGBOX_NO_OS_WATCH")]
    pub no_os_watch: bool,
    /// Seconds between rescans when the OS watch is off or failed.
    #[arg(long, env = "LONGBOX_RESCAN_SECS", default_value_t = 60)]
    pub rescan_secs: u64,
    /// Seconds a connection may take to send a request head (also the keep-alive idle time).
    #[arg(long, env = "LONGBOX_HEAD_TIMEOUT_SECS", default_value_t = DEFAULT_HEAD_TIMEOUT_SECS)]
    pub head_timeout_secs: u64,
    /// Seconds a request body may take to arrive.
    #[arg(long, env = "LONGBOX_BODY_TIMEOUT_SECS", default_value_t = DEFAULT_BODY_TIMEOUT_SECS)]
    pub body_timeout_secs: u64,
    /// Open connections allowed in total (event streams included); more get 503.
    #[arg(long, env = "LONGBOX_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Open connections allowed from one client address; more get 429.
    #[arg(long, env = "LONGBOX_MAX_CONNECTIONS_PER_IP", default_value_t = DEFAULT_MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,
}

/// Default of `--head-timeout-secs`.
pub const DEFAULT_HEAD_TIMEOUT_SECS: u64 = 10;
/// Default of `--body-timeout-secs`.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 30;
/// Default of `--max-connections`: room for thousands of tabs, bounded file descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 32_768;
/// Default of `--max-connections-per-ip`: a household's tabs, or a reverse proxy's traffic.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 1_024;

/// Everything the server needs to run, resolved from the flags.
#[derive(Debug, Clone)]
pub struct Config {
    /// Root of the comic library.
    pub library: PathBuf,
    /// Where the database and other state live.
    pub data_dir: PathBuf,
    /// Listen address.
    pub addr: SocketAddr,
    /// Heartbeat period of event streams, in seconds.
    pub heartbeat_secs: u64,
    /// Replay window of the event hub.
    pub history_size: usize,
    /// Per-client queue bound of the event hub.
    pub client_queue: usize,
    /// Use the OS file watch.
    pub os_watch: bool,
    /// Fallback rescan period, in seconds.
    pub rescan_secs: u64,
    /// Time allowed for a request head.
    pub head_timeout: std::time::Duration,
    /// Time allowed for a request body.
    pub body_timeout: std::time::Duration,
    /// Open connections allowed in total.
    pub max_connections: usize,
    /// Open connections allowed per client address.
    pub max_connections_per_ip: usize,
}

impl Config {
    /// A configuration with defaults for everything but the two folders (used by tests).
    pub fn new(library: PathBuf, data_dir: PathBuf) -> Self {
        Self {
            library,
            data_dir,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            heartbeat_secs: 15,
            history_size: 1024,
            client_queue: 100,
            os_watch: true,
            rescan_secs: 60,
            head_timeout: std::time::Duration::from_secs(DEFAULT_HEAD_TIMEOUT_SECS),
            body_timeout: std::time::Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
        }
    }
}

/// Why the flags cannot make a [`Config`]; printed as one line, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No `--library` and no `LONGBOX_LIBRARY`.
    #[error("no library folder given: pass --library <DIR> or set LONGBOX_LIBRARY")]
    NoLibrary,
    /// The library folder does not exist or cannot be read.
    #[error("library folder {path} cannot be used: {reason}")]
    BadLibrary {
        /// The folder given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The data folder cannot be created.
    #[error("data folder {path} cannot be created: {reason}")]
    BadDataDir {
        /// The folder given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ServeArgs {
    /// Checks the folders and resolves defaults.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let library = self.library.ok_or(ConfigError::NoLibrary)?;
        let bad = |reason: String| ConfigError::BadLibrary {
            path: library.display().to_string(),
            reason,
        };
        let meta = std::fs::metadata(&library).map_err(|e| bad(e.to_string()))?;
        if !meta.is_dir() {
            return Err(bad("not a folder".into()));
        }
        std::fs::read_dir(&library).map_err(|e| bad(e.to_string()))?;
        let library = library.canonicalize().map_err(|e| bad(e.to_string()))?;
        let data_dir = self.data_dir.unwrap_or_else(default_data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|e| ConfigError::BadDataDir {
            path: data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Config {
            library,
            data_dir,
            addr: self.addr,
            heartbeat_secs: self.heartbeat_secs.max(1),
            history_size: self.history_size.max(1),
            client_queue: self.client_queue.max(1),
            os_watch: !self.no_os_watch,
            rescan_secs: self.rescan_secs.max(1),
            head_timeout: std::time::Duration::from_secs(self.head_timeout_secs.max(1)),
            body_timeout: std::time::Duration::from_secs(self.body_timeout_secs.max(1)),
            max_connections: self.max_connections.max(1),
            max_connections_per_ip: self.max_connections_per_ip.max(1),
        })
    }
}

/// `$XDG_DATA_HOME/longbox`, else `~/.local/share/longbox`, else `./longbox-data`.
fn default_data_dir() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("longbox");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/longbox");
    }
    PathBuf::from("longbox-data")
}
