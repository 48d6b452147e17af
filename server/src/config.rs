//! Command-line flags and their environment equivalents, turned into a [`Config`].

use clap::{Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
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
    #[arg(long, env = "LONGBOX_NO_OS_WATCH", value_parser = clap::builder::BoolishValueParser::new())]
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
    /// No accounts: everyone who can reach the server is an admin. Only allowed when the
    /// listen address is loopback (tests, single-user desktops).
    #[arg(long, env = "LONGBOX_NO_AUTH", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_auth: bool,
    /// Host names (and IP addresses) requests may be addressed to, comma-separated; others get
    /// 421. Default: localhost names, loopback addresses, the listen address and this
    /// machine's host name.
    #[arg(long, env = "LONGBOX_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies (CIDRs, comma-separated) whose `X-Forwarded-For`, `-Proto` and `-Host`
    /// are believed, e.g. `127.0.0.1/32,::1/128`. Nobody's, by default.
    #[arg(long, env = "LONGBOX_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<Cidr>,
    /// Seconds a session may stay unused before it ends.
    #[arg(long, env = "LONGBOX_SESSION_IDLE_SECS", default_value_t = DEFAULT_SESSION_IDLE_SECS)]
    pub session_idle_secs: u64,
}

/// A block of IP addresses, written `address/prefix` (a bare address is one host).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The first address (bits past the prefix are ignored).
    pub addr: IpAddr,
    /// How many leading bits must match.
    pub prefix: u8,
}

impl Cidr {
    /// Whether `ip` is inside the block (an IPv4-mapped IPv6 address counts as its IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = s.trim().split_once('/').unwrap_or((s.trim(), ""));
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix must be 0..={max}"))?
        };
        Ok(Self { addr, prefix })
    }
}

/// Default of `--head-timeout-secs`.
pub const DEFAULT_HEAD_TIMEOUT_SECS: u64 = 10;
/// Default of `--body-timeout-secs`.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 30;
/// Default of `--max-connections`: room for thousands of tabs, bounded file descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 32_768;
/// Default of `--max-connections-per-ip`: a household's tabs, or a reverse proxy's traffic.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 1_024;
/// Default of `--session-idle-secs`: two weeks, like the session of a media server.
pub const DEFAULT_SESSION_IDLE_SECS: u64 = 14 * 24 * 3600;

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
    /// Accounts are off: every admitted request is an admin (loopback only).
    pub no_auth: bool,
    /// Extra host names requests may be addressed to (the defaults are always allowed).
    pub allowed_hosts: Vec<String>,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<Cidr>,
    /// How long an unused session lives.
    pub session_idle: std::time::Duration,
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
            no_auth: false,
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            session_idle: std::time::Duration::from_secs(DEFAULT_SESSION_IDLE_SECS),
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
    /// `--no-auth` on an address other machines can reach.
    #[error(
        "--no-auth (LONGBOX_NO_AUTH) turns accounts off and is allowed only on a loopback \
         address, not on {0}; listen on 127.0.0.1 or drop --no-auth"
    )]
    NoAuthNotLoopback(SocketAddr),
    /// `--no-auth` with `--trusted-proxies`.
    #[error(
        "--no-auth cannot be combined with --trusted-proxies: everyone the proxy serves would \
         be an admin; behind a proxy, use accounts"
    )]
    NoAuthBehindProxy,
}

impl ServeArgs {
    /// Checks the folders and resolves defaults.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        if self.no_auth && !self.addr.ip().is_loopback() {
            return Err(ConfigError::NoAuthNotLoopback(self.addr));
        }
        if self.no_auth && !self.trusted_proxies.is_empty() {
            // A proxy on loopback would make everyone it serves an admin.
            return Err(ConfigError::NoAuthBehindProxy);
        }
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
            no_auth: self.no_auth,
            allowed_hosts: self.allowed_hosts,
            trusted_proxies: self.trusted_proxies,
            session_idle: std::time::Duration::from_secs(self.session_idle_secs.max(60)),
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

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn cidr_blocks_contain_what_they_should() {
        let lan: Cidr = "192.168.1.0/24".parse().unwrap();
        assert!(lan.contains("192.168.1.77".parse().unwrap()));
        assert!(!lan.contains("192.168.2.1".parse().unwrap()));
        assert!(
            lan.contains("::ffff:192.168.1.5".parse().unwrap()),
            "IPv4-mapped"
        );
        let host: Cidr = "10.0.0.1".parse().unwrap();
        assert_eq!(host.prefix, 32);
        assert!(!host.contains("10.0.0.2".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("127.0.0.1".parse().unwrap()));
        for bad in ["", "abc", "10.0.0.0/33", "::/129", "1.2.3.4/-1"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?}");
        }
    }
}
