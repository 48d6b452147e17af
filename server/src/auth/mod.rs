//! Who may do what. [`Gate::admit`] is the one admission function: every request passes it
//! exactly once, whichever path then serves it (the direct stream writer or the axum router),
//! and whatever serves the request trusts the [`Identity`] it returns.
//!
//! - `admit`: [`Gate`], [`Identity`], [`Refusal`] and the request-head limits.
//! - `client`: the client's address, scheme and host (trusted proxies), the Host allow-list,
//!   same-origin checks.
//! - `policy`: the one table of what each path needs.
//! - [`accounts`]: users, sessions and API keys, cached for admission.
//! - [`password`]: Argon2id hashing, a few at a time, off the async threads.
//! - `throttle`: failed logins per client address.
//! - [`token`]: random session cookies and API keys, stored as digests.

pub mod accounts;
mod admit;
mod client;
pub mod password;
mod policy;
pub mod throttle;
pub mod token;

pub use accounts::{AccountError, Accounts, NewSession};
pub use admit::{Gate, Identity, Refusal, MAX_HEAD, MAX_HEADERS, MAX_URI};
pub use client::Client;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "longbox_session";

/// Lifetime of the session cookie in the browser (400 days, the most browsers keep); the
/// session itself ends after the configured idle time, checked by the server.
pub const SESSION_COOKIE_MAX_AGE_SECS: u64 = 400 * 24 * 3600;
