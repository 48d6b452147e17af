//! Where a request really comes from and what it is addressed to: the client's address, scheme
//! and host, read from `X-Forwarded-*` only when the peer is a trusted proxy; the Host
//! allow-list; and whether a request is same-origin.

use crate::config::Cidr;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};

/// The client of a request, as far as it can be believed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// The client's address (the peer, or what a trusted proxy forwarded).
    pub addr: SocketAddr,
    /// The client reached Longbox over HTTPS (only a trusted proxy can say so).
    pub https: bool,
    /// The host (and port) the client addressed, lower-cased; `None` when absent.
    pub host: Option<String>,
}

/// Every entry of a header that may repeat or hold a comma-separated list, in order, trimmed.
fn list_values<'a>(headers: &'a HeaderMap, name: &str) -> impl DoubleEndedIterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
}

/// The last non-empty entry of a list-valued header.
fn last_value(headers: &HeaderMap, name: &str) -> Option<String> {
    list_values(headers, name)
        .rfind(|v| !v.is_empty())
        .map(str::to_string)
}

/// One `X-Forwarded-For` entry: an address, with or without a port (`1.2.3.4:5678`,
/// `[::1]:5678`).
fn forwarded_ip(entry: &str) -> Option<IpAddr> {
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Resolves the client of `head` from `peer`, believing forwarding headers from `trusted` peers.
pub(crate) fn resolve(head: &Parts, peer: SocketAddr, trusted: &[Cidr]) -> Client {
    let host_header = head
        .headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .or_else(|| head.uri.authority().map(|a| a.as_str()))
        .map(str::to_ascii_lowercase);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer.ip()) {
        return Client {
            addr: peer,
            https: false,
            host: host_header,
        };
    }
    // Rightmost address that is not one of our proxies: everything left of it was written by
    // the client and proves nothing.
    let forwarded: Vec<IpAddr> = list_values(&head.headers, "x-forwarded-for")
        .filter_map(forwarded_ip)
        .collect();
    let ip = forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(**ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer.ip());
    let https = last_value(&head.headers, "x-forwarded-proto")
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let host = last_value(&head.headers, "x-forwarded-host")
        .map(|h| h.to_ascii_lowercase())
        .or(host_header);
    Client {
        addr: SocketAddr::new(ip, if ip == peer.ip() { peer.port() } else { 0 }),
        https,
        host,
    }
}

/// The names a request may be addressed to. IP literals are always allowed: a DNS-rebinding
/// page can only send its own domain name as the Host, never an address.
#[derive(Debug)]
pub(crate) struct AllowedHosts {
    /// Lower-case names without port or trailing dot.
    names: HashSet<String>,
}

/// Host without port, brackets or trailing dot.
fn bare_host(host: &str) -> &str {
    let host = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    host.trim_end_matches('.')
}

impl AllowedHosts {
    /// `localhost`, this machine's host name (also as `<name>.local`), and `extra`.
    pub(crate) fn new(extra: &[String]) -> Self {
        let mut names: HashSet<String> = ["localhost".to_string()].into();
        if let Some(name) = machine_hostname() {
            names.insert(format!("{name}.local"));
            names.insert(name);
        }
        for name in extra {
            let name = bare_host(name.trim()).to_ascii_lowercase();
            if !name.is_empty() {
                names.insert(name);
            }
        }
        Self { names }
    }

    /// Whether a Host header value is allowed.
    pub(crate) fn allows(&self, host: &str) -> bool {
        let name = bare_host(host);
        name.parse::<IpAddr>().is_ok() || self.names.contains(name) || name.ends_with(".localhost")
    }
}

/// This machine's host name, lower-cased.
fn machine_hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into the local buffer.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    let name = std::str::from_utf8(&buf[..end])
        .ok()?
        .trim()
        .to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

/// What a request says about the page that sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Provenance {
    /// `Origin` equals the request's own origin, or `Sec-Fetch-Site: same-origin`.
    SameOrigin,
    /// Sent by another site (or another origin of this one), or `Origin: null`.
    Foreign,
    /// Says nothing: not a browser (curl, scripts), or a browser navigation without `Origin`.
    Unknown,
}

/// Reads `Origin` and `Sec-Fetch-Site` against the client's scheme and host.
pub(crate) fn provenance(head: &Parts, client: &Client) -> Provenance {
    let fetch_site = head
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return Provenance::Foreign;
    }
    if let Some(origin) = head.headers.get("origin") {
        let Ok(origin) = origin.to_str() else {
            return Provenance::Foreign;
        };
        let scheme = if client.https { "https://" } else { "http://" };
        let own = client.host.as_deref().map(|h| format!("{scheme}{h}"));
        return if own.is_some_and(|own| origin.eq_ignore_ascii_case(&own)) {
            Provenance::SameOrigin
        } else {
            Provenance::Foreign
        };
    }
    match fetch_site {
        Some("same-origin") => Provenance::SameOrigin,
        _ => Provenance::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn head(builder: axum::http::request::Builder) -> Parts {
        builder.body(()).unwrap().into_parts().0
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 5555)
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let trusted: Vec<Cidr> = vec!["10.0.0.2/32".parse().unwrap()];
        let spoofed = head(
            Request::get("/")
                .header("host", "nas:3000")
                .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
                .header("x-forwarded-proto", "https")
                .header("x-forwarded-host", "comics.example"),
        );
        let direct = resolve(&spoofed, peer("192.168.1.50"), &trusted);
        assert_eq!(direct.addr, peer("192.168.1.50"));
        assert!(!direct.https);
        assert_eq!(direct.host.as_deref(), Some("nas:3000"));

        let proxied = resolve(&spoofed, peer("10.0.0.2"), &trusted);
        assert_eq!(proxied.addr.ip(), "198.51.100.7".parse::<IpAddr>().unwrap());
        assert!(proxied.https);
        assert_eq!(proxied.host.as_deref(), Some("comics.example"));

        let chained: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let through_two = head(
            Request::get("/").header("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.0.0.3"),
        );
        let client = resolve(&through_two, peer("10.0.0.2"), &chained);
        assert_eq!(client.addr.ip(), "198.51.100.7".parse::<IpAddr>().unwrap());
        let with_ports = head(
            Request::get("/").header("x-forwarded-for", "198.51.100.7:4711, [2001:db8::5]:80"),
        );
        let client = resolve(&with_ports, peer("10.0.0.2"), &trusted);
        assert_eq!(client.addr.ip(), "2001:db8::5".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn hosts_are_names_we_answer_to_or_addresses() {
        let allowed = AllowedHosts::new(&["Comics.Example".into(), "longbox.lan:8080".into()]);
        for ok in [
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "192.168.1.10",
            "comics.example",
            "COMICS.example.",
            "longbox.lan:3000",
            "app.localhost",
        ] {
            assert!(allowed.allows(&ok.to_ascii_lowercase()), "{ok}");
        }
        for bad in [
            "evil.example",
            "localhost.evil.example",
            "comics.example.evil",
            "",
        ] {
            assert!(!allowed.allows(bad), "{bad}");
        }
    }

    #[test]
    fn provenance_reads_origin_and_fetch_metadata() {
        let client = Client {
            addr: peer("127.0.0.1"),
            https: false,
            host: Some("nas:3000".into()),
        };
        let with = |name: &str, value: &str| {
            head(Request::post(app::api::paths::JOBS).header(name, value))
        };
        assert_eq!(
            provenance(&with("origin", "http://nas:3000"), &client),
            Provenance::SameOrigin
        );
        assert_eq!(
            provenance(&with("origin", "https://nas:3000"), &client),
            Provenance::Foreign
        );
        assert_eq!(
            provenance(&with("origin", "http://evil.example"), &client),
            Provenance::Foreign
        );
        assert_eq!(
            provenance(&with("origin", "null"), &client),
            Provenance::Foreign
        );
        assert_eq!(
            provenance(&with("sec-fetch-site", "cross-site"), &client),
            Provenance::Foreign
        );
        assert_eq!(
            provenance(&with("sec-fetch-site", "same-site"), &client),
            Provenance::Foreign
        );
        assert_eq!(
            provenance(&with("sec-fetch-site", "same-origin"), &client),
            Provenance::SameOrigin
        );
        assert_eq!(
            provenance(&head(Request::post(app::api::paths::JOBS)), &client),
            Provenance::Unknown
        );
    }
}
