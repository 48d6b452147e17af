//! Every API path, written once: the server's router registers these patterns and the UI's
//! client builds its URLs from them, so the two cannot drift apart.
//!
//! Constants are the route patterns (axum syntax for the parameterised ones); functions build
//! the concrete URL a client requests.

use std::fmt;

/// Prefix of every API path.
pub const API: &str = "/api";
/// Any other path under [`API`]: answered with a JSON 404.
pub const API_ANY: &str = "/api/{*rest}";

/// `GET`: liveness.
pub const HEALTH: &str = "/api/health";
/// `GET`: the event stream (Server-Sent Events).
pub const EVENTS_STREAM: &str = "/api/events/stream";
/// `GET`: fan-out counters.
pub const EVENTS_STATS: &str = "/api/events/stats";
/// `GET`: the open event streams.
pub const EVENTS_STATUS: &str = "/api/events/status";
/// `POST`: a notification for every open page.
pub const EVENTS_BROADCAST: &str = "/api/events/broadcast";
/// `GET`: one page of the file list.
pub const FILES: &str = "/api/files";
/// `GET`: one file's details (route pattern; see [`file`]).
pub const FILE: &str = "/api/files/{*path}";
/// `GET`: one file's cover thumbnail, a JPEG (route pattern; see [`cover`]).
pub const COVER: &str = "/api/covers/{*path}";
/// `GET`: file list cache counters.
pub const CACHE_STATS: &str = "/api/cache/stats";
/// `POST`: rescan the library.
pub const CACHE_REBUILD: &str = "/api/cache/rebuild";
/// `GET`: the watcher's state.
pub const WATCHER_STATUS: &str = "/api/watcher/status";
/// `POST`: switch the watcher or automatic processing on or off.
pub const WATCHER: &str = "/api/watcher";
/// `POST`: create (or preview) a job; `GET`: list jobs.
pub const JOBS: &str = "/api/jobs";
/// `GET`/`DELETE`: one job (route pattern; see [`job`]).
pub const JOB: &str = "/api/jobs/{id}";
/// `POST`: cancel a job (route pattern; see [`job_cancel`]).
pub const JOB_CANCEL: &str = "/api/jobs/{id}/cancel";
/// `POST`: undo a finished job (route pattern; see [`job_undo`]).
pub const JOB_UNDO: &str = "/api/jobs/{id}/undo";
/// `GET`/`PUT`: settings.
pub const SETTINGS: &str = "/api/settings";
/// `GET`: processing history.
pub const HISTORY: &str = "/api/history";
/// `POST`: create the first admin account (201), 409 once one exists.
pub const AUTH_SETUP: &str = "/api/auth/setup";
/// `POST`: sign in; sets the session cookie.
pub const AUTH_LOGIN: &str = "/api/auth/login";
/// `POST`: sign out; ends the session.
pub const AUTH_LOGOUT: &str = "/api/auth/logout";
/// `GET`: who the request is (and whether setup is needed).
pub const AUTH_ME: &str = "/api/auth/me";
/// `GET`: list accounts; `POST`: create one (admins).
pub const USERS: &str = "/api/users";
/// `PATCH`/`DELETE`: one account (route pattern; see [`user`]).
pub const USER: &str = "/api/users/{id}";
/// `GET`: list API keys; `POST`: create one (admins).
pub const API_KEYS: &str = "/api/keys";
/// `DELETE`: revoke an API key (route pattern; see [`api_key`]).
pub const API_KEY: &str = "/api/keys/{id}";
/// `GET`: signed-in sessions (admins see all, readers their own).
pub const SESSIONS: &str = "/api/sessions";
/// `DELETE`: end a session (route pattern; see [`session`]).
pub const SESSION: &str = "/api/sessions/{id}";
/// `GET`: Prometheus metrics (outside [`API`], where scrapers expect it).
pub const METRICS: &str = "/metrics";

/// URL of one file's details; `encoded` is the library path, already percent-encoded per
/// segment.
pub fn file(encoded: &str) -> String {
    format!("{FILES}/{encoded}")
}

/// URL of one file's cover; `encoded` as for [`file`], `key` the thumbnail's content hash once
/// it is known (the URL then changes with the thumbnail, so it may be cached for good).
pub fn cover(encoded: &str, key: Option<&str>) -> String {
    let base = COVER.trim_end_matches("{*path}");
    match key {
        Some(key) => format!("{base}{encoded}?v={key}"),
        None => format!("{base}{encoded}"),
    }
}

/// URL of one job (its id as the API shows it, e.g. a UUID).
pub fn job(id: impl fmt::Display) -> String {
    format!("{JOBS}/{id}")
}

/// URL that cancels one job.
pub fn job_cancel(id: impl fmt::Display) -> String {
    format!("{JOBS}/{id}/cancel")
}

/// URL that undoes one job.
pub fn job_undo(id: impl fmt::Display) -> String {
    format!("{JOBS}/{id}/undo")
}

/// URL of one account.
pub fn user(id: i64) -> String {
    format!("{USERS}/{id}")
}

/// URL of one API key.
pub fn api_key(id: i64) -> String {
    format!("{API_KEYS}/{id}")
}

/// URL of one session.
pub fn session(id: i64) -> String {
    format!("{SESSIONS}/{id}")
}

/// URL of the event stream, resuming after `last_event_id` when there is one.
pub fn events_stream(last_event_id: Option<&str>) -> String {
    match last_event_id {
        Some(id) if !id.is_empty() => format!("{EVENTS_STREAM}?last_event_id={id}"),
        _ => EVENTS_STREAM.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_match_their_patterns() {
        assert_eq!(job(7), JOB.replace("{id}", "7"));
        assert_eq!(job_cancel(7), JOB_CANCEL.replace("{id}", "7"));
        assert_eq!(job_undo(7), JOB_UNDO.replace("{id}", "7"));
        let uuid = "5f0c6a52-6f7a-4a57-9a39-2c3c1f5e8e11";
        assert_eq!(job_cancel(uuid), JOB_CANCEL.replace("{id}", uuid));
        assert_eq!(file("a/b.cbz"), FILE.replace("{*path}", "a/b.cbz"));
        assert_eq!(cover("a/b.cbz", None), COVER.replace("{*path}", "a/b.cbz"));
        assert_eq!(
            cover("a/b.cbz", Some("k1")),
            COVER.replace("{*path}", "a/b.cbz?v=k1")
        );
        assert_eq!(
            events_stream(Some("12")),
            format!("{EVENTS_STREAM}?last_event_id=12")
        );
        assert_eq!(events_stream(Some("")), EVENTS_STREAM);
        for path in [
            HEALTH,
            EVENTS_STREAM,
            FILES,
            JOBS,
            SETTINGS,
            HISTORY,
            WATCHER,
        ] {
            assert!(path.starts_with(API), "{path}");
        }
    }
}
