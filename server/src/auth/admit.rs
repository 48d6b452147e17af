//! [`Gate::admit`]: yes ([`Identity`]) or no ([`Refusal`]) for one request head.

use super::accounts::{Accounts, SessionCheck};
use super::client::{self, AllowedHosts, Client, Provenance};
use super::policy::{self, Target, LOGIN_PAGE, SETUP_PAGE};
use super::SESSION_COOKIE;
use crate::config::{Cidr, Config};
use app::api::auth::Role;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request head (request line and headers) admitted, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;

/// Most header lines in one request head.
pub const MAX_HEADERS: usize = 48;

/// Longest request target (path and query) admitted, in bytes.
pub const MAX_URI: usize = 8 * 1024;

/// Who a request comes from, as [`Gate::admit`] established it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// Nobody signed in (only public paths are admitted so).
    Anonymous,
    /// Accounts are off (`--no-auth`): an admin on this machine.
    Local,
    /// A browser signed in with a session cookie.
    Session {
        /// The session's id.
        session: i64,
        /// The account's id.
        user: i64,
        /// The account's name.
        username: String,
        /// What it may do.
        role: Role,
    },
    /// A script or tool with an API key.
    Key {
        /// The key's id.
        key: i64,
        /// The key's name.
        name: String,
        /// What it may do.
        role: Role,
    },
}

impl Identity {
    /// What this identity may do; `None` for nobody.
    pub fn role(&self) -> Option<Role> {
        match self {
            Identity::Anonymous => None,
            Identity::Local => Some(Role::Admin),
            Identity::Session { role, .. } | Identity::Key { role, .. } => Some(*role),
        }
    }
}

/// Why a request (or a connection) is turned away: a status and a message for the JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// What the client can do about it, sent as `{"error": ...}`.
    pub message: String,
    /// Seconds after which retrying may succeed (`Retry-After`), for limits that pass.
    pub retry_after: Option<u64>,
    /// Where to go instead (`Location`, with a 303): pages that need a sign-in.
    pub location: Option<&'static str>,
}

impl Refusal {
    /// A refusal with no `Retry-After`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
            location: None,
        }
    }

    /// A redirect of a page request to `location`.
    pub fn redirect(location: &'static str) -> Self {
        Self {
            location: Some(location),
            ..Self::new(StatusCode::SEE_OTHER, format!("see {location}"))
        }
    }

    /// The same refusal, asking the client to retry after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The whole HTTP/1.1 response, for a connection that is then closed (refusals the
    /// listener writes itself, before or instead of any HTTP library).
    pub(crate) fn to_http(&self) -> Vec<u8> {
        let body = self.body();
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or(""),
            body.len()
        );
        if let Some(seconds) = self.retry_after {
            head.push_str(&format!("retry-after: {seconds}\r\n"));
        }
        if let Some(location) = self.location {
            head.push_str(&format!("location: {location}\r\n"));
        }
        head.push_str("connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }

    fn body(&self) -> String {
        serde_json::to_string(&app::api::ApiError {
            error: self.message.clone(),
        })
        .unwrap_or_default()
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [("content-type", "application/json")],
            self.body(),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        if let Some(location) = self.location {
            response
                .headers_mut()
                .insert("location", HeaderValue::from_static(location));
        }
        response
    }
}

/// What admission decisions are made from. Built once with the server's state.
pub struct Gate {
    /// Accounts are off (`--no-auth`).
    no_auth: bool,
    /// Host names requests may be addressed to.
    hosts: AllowedHosts,
    /// Peers whose forwarding headers are believed.
    trusted_proxies: Vec<Cidr>,
    /// Users, sessions and keys.
    accounts: Arc<Accounts>,
}

/// A request head's credentials, as far as admission could read them.
enum Credential<'a> {
    /// `Authorization: Bearer <key>`.
    Key(&'a str),
    /// Every session cookie the request carries (another app on the same host can plant one of
    /// the same name with a longer path, which the browser sends first).
    Session(Vec<&'a str>),
    /// None at all. An `Authorization` header of another scheme (a Basic-auth proxy's) is not
    /// ours and is ignored.
    Absent,
}

fn credential(head: &Parts) -> Credential<'_> {
    let bearer = head
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    if let Some(key) = bearer {
        return Credential::Key(key.trim());
    }
    let cookies: Vec<&str> = head
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then_some(value.trim())
        })
        .collect();
    if cookies.is_empty() {
        Credential::Absent
    } else {
        Credential::Session(cookies)
    }
}

/// Whether the head announces a body.
fn has_body(head: &Parts) -> bool {
    head.headers.contains_key("transfer-encoding")
        || head
            .headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Whether the body is declared JSON (`application/json`, any parameters).
fn is_json(head: &Parts) -> bool {
    head.headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

impl Gate {
    /// A gate for `config`, reading accounts from `accounts`.
    pub fn new(config: &Config, accounts: Arc<Accounts>) -> Self {
        Self {
            no_auth: config.no_auth,
            hosts: AllowedHosts::new(&config.allowed_hosts),
            trusted_proxies: config.trusted_proxies.clone(),
            accounts,
        }
    }

    /// Accounts are off.
    pub fn no_auth(&self) -> bool {
        self.no_auth
    }

    /// Users, sessions and keys.
    pub fn accounts(&self) -> &Arc<Accounts> {
        &self.accounts
    }

    /// The client of a request (its address, scheme and host), believing forwarding headers
    /// only from trusted proxies.
    pub fn client(&self, head: &Parts, peer: SocketAddr) -> Client {
        client::resolve(head, peer, &self.trusted_proxies)
    }

    /// The one admission function: every request head, on every path, is answered here.
    /// In order: head limits, the Host allow-list (421), cross-site writes (403), JSON bodies
    /// (415), credentials (401), the role the path needs (403), and redirects for pages.
    pub fn admit(&self, head: &Parts, peer: SocketAddr) -> Result<Identity, Refusal> {
        check_head_limits(head)?;
        let client = self.client(head, peer);
        let host = client.host.as_deref().unwrap_or("");
        if !self.hosts.allows(host) {
            return Err(Refusal::new(
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "this server does not answer to the host {host:?}; \
                     start it with --allowed-hosts {} to allow it",
                    host.split(':').next().unwrap_or("")
                ),
            ));
        }
        let writes = !matches!(head.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let provenance = client::provenance(head, &client);
        if writes && provenance == Provenance::Foreign {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "cross-site requests are refused: use Longbox's own pages, or an API key",
            ));
        }
        if has_body(head) && !is_json(head) {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request bodies must be JSON (Content-Type: application/json)",
            ));
        }
        let (identity, expired) = self.identify(head, writes, provenance)?;
        self.authorize(head, identity, expired)
    }

    /// Who the credentials say the request is, and whether it carried an expired session.
    fn identify(
        &self,
        head: &Parts,
        writes: bool,
        provenance: Provenance,
    ) -> Result<(Identity, bool), Refusal> {
        if self.no_auth {
            return Ok((Identity::Local, false));
        }
        let unauthorized = |m: &str| Refusal::new(StatusCode::UNAUTHORIZED, m);
        match credential(head) {
            Credential::Key(key) => self
                .accounts
                .check_key(key)
                .map(|id| (id, false))
                .ok_or_else(|| unauthorized("unknown or revoked API key")),
            Credential::Session(cookies) => match self.best_session(&cookies) {
                SessionCheck::Valid(identity) => {
                    // A cookie rides along on any request the browser makes, so a write must
                    // also prove it comes from Longbox's own page.
                    if writes && provenance != Provenance::SameOrigin {
                        return Err(Refusal::new(
                            StatusCode::FORBIDDEN,
                            "a signed-in browser request that changes something must come from \
                             Longbox's own page (Origin or Sec-Fetch-Site: same-origin)",
                        ));
                    }
                    Ok((identity, false))
                }
                SessionCheck::Expired => Ok((Identity::Anonymous, true)),
                SessionCheck::Unknown => Ok((Identity::Anonymous, false)),
            },
            Credential::Absent => Ok((Identity::Anonymous, false)),
        }
    }

    /// The first live session among the request's cookies; else whether one had expired.
    fn best_session(&self, cookies: &[&str]) -> SessionCheck {
        let mut outcome = SessionCheck::Unknown;
        for cookie in cookies {
            match self.accounts.check_session(cookie) {
                SessionCheck::Valid(identity) => return SessionCheck::Valid(identity),
                SessionCheck::Expired => outcome = SessionCheck::Expired,
                SessionCheck::Unknown => {}
            }
        }
        outcome
    }

    /// Whether `identity` may have what `head` asks for; pages that cannot be shown redirect.
    fn authorize(
        &self,
        head: &Parts,
        identity: Identity,
        expired: bool,
    ) -> Result<Identity, Refusal> {
        let path = head.uri.path();
        let role = identity.role();
        let target = policy::target(path);
        if target == Target::Page {
            let setup_needed = !self.no_auth && self.accounts.setup_needed();
            let redirect = match path {
                _ if setup_needed && path != SETUP_PAGE => Some(SETUP_PAGE),
                SETUP_PAGE if !setup_needed => Some(if role.is_some() { "/" } else { LOGIN_PAGE }),
                LOGIN_PAGE if role.is_some() => Some("/"),
                _ => None,
            };
            if let Some(location) = redirect {
                return Err(Refusal::redirect(location));
            }
        }
        if policy::required(&head.method, path).allows(role) {
            return Ok(identity);
        }
        Err(match (role, target) {
            (None, Target::Page) => Refusal::redirect(LOGIN_PAGE),
            (Some(_), Target::Page) => Refusal::redirect("/"),
            (None, _) if self.accounts.setup_needed() => Refusal::new(
                StatusCode::UNAUTHORIZED,
                "no account exists yet: create the first admin at /setup",
            ),
            (None, _) if expired => Refusal::new(
                StatusCode::UNAUTHORIZED,
                "your session has expired; sign in again",
            ),
            (None, _) => Refusal::new(
                StatusCode::UNAUTHORIZED,
                "sign in first (session cookie or `Authorization: Bearer <API key>`)",
            ),
            (Some(_), _) => Refusal::new(StatusCode::FORBIDDEN, "only an admin may do this"),
        })
    }
}

/// The request-head limits: header count, target length, total size.
fn check_head_limits(head: &Parts) -> Result<(), Refusal> {
    let too_large = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
    if head.headers.len() > MAX_HEADERS {
        return Err(Refusal::new(
            too_large,
            format!("more than {MAX_HEADERS} request headers"),
        ));
    }
    let target = head.uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        return Err(Refusal::new(
            StatusCode::URI_TOO_LONG,
            format!("request target longer than {MAX_URI} bytes"),
        ));
    }
    // Request line plus "name: value\r\n" per header.
    let size = head.method.as_str().len()
        + target
        + head
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    if size > MAX_HEAD {
        return Err(Refusal::new(
            too_large,
            format!("request head larger than {MAX_HEAD} bytes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn head(builder: axum::http::request::Builder) -> Parts {
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn oversized_heads_are_refused_with_a_status_that_names_the_limit() {
        assert!(check_head_limits(&head(Request::get(app::api::paths::FILES))).is_ok());
        let mut builder = Request::get("/");
        for i in 0..=MAX_HEADERS {
            builder = builder.header(format!("x-h{i}"), "1");
        }
        let refused = check_head_limits(&head(builder)).unwrap_err();
        assert_eq!(refused.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);

        let long = format!("/{}", "a".repeat(MAX_URI));
        let refused = check_head_limits(&head(Request::get(long))).unwrap_err();
        assert_eq!(refused.status, StatusCode::URI_TOO_LONG);

        let big = "v".repeat(MAX_HEAD);
        let refused = check_head_limits(&head(Request::get("/").header("x-big", big))).unwrap_err();
        assert_eq!(refused.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    #[test]
    fn credentials_are_read_from_bearer_keys_and_the_session_cookie() {
        let with = |name: &str, value: &str| head(Request::get("/").header(name, value));
        assert!(matches!(
            credential(&with("authorization", "Bearer lbk_1")),
            Credential::Key("lbk_1")
        ));
        assert!(matches!(
            credential(&with("authorization", "Basic eDp5")),
            Credential::Absent
        ));
        let both = head(
            Request::get("/")
                .header("authorization", "Basic eDp5")
                .header(
                    "cookie",
                    "longbox_session=planted; theme=dark; longbox_session=abc",
                ),
        );
        match credential(&both) {
            Credential::Session(cookies) => assert_eq!(cookies, ["planted", "abc"]),
            _ => panic!("the cookies are read past a Basic header"),
        }
        assert!(matches!(
            credential(&with("cookie", "longbox_sessionx=abc")),
            Credential::Absent
        ));
        assert!(matches!(
            credential(&head(Request::get("/"))),
            Credential::Absent
        ));
    }

    #[test]
    fn bodies_must_be_declared_json() {
        let post = |ct: Option<&str>, len: &str| {
            let mut b = Request::post(app::api::paths::JOBS).header("content-length", len);
            if let Some(ct) = ct {
                b = b.header("content-type", ct);
            }
            head(b)
        };
        assert!(has_body(&post(None, "5")) && !is_json(&post(None, "5")));
        assert!(is_json(&post(Some("application/json; charset=utf-8"), "5")));
        assert!(!is_json(&post(Some("text/plain"), "5")));
        assert!(!has_body(&post(Some("text/plain"), "0")));
    }

    #[test]
    fn raw_refusals_are_complete_json_responses() {
        let raw = Refusal::new(StatusCode::TOO_MANY_REQUESTS, "slow down").retry_after(3);
        let text = String::from_utf8(raw.to_http()).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 429 Too Many Requests\r\n"),
            "{text}"
        );
        assert!(text.contains("retry-after: 3\r\n"), "{text}");
        assert!(text.contains("connection: close\r\n"), "{text}");
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, r#"{"error":"slow down"}"#);
        assert!(text.contains(&format!("content-length: {}\r\n", body.len())));
        let redirect = String::from_utf8(Refusal::redirect("/login").to_http()).unwrap();
        assert!(
            redirect.starts_with("HTTP/1.1 303 See Other\r\n"),
            "{redirect}"
        );
        assert!(redirect.contains("location: /login\r\n"), "{redirect}");
    }
}
