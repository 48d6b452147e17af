//! What each request needs: the one table of who may call what.

use app::api::auth::Role;
use app::api::paths;
use axum::http::Method;

/// What a request needs to be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone: health, sign-in, first-run setup, static assets, the login and setup pages.
    Public,
    /// Any signed-in account.
    Reader,
    /// An admin.
    Admin,
}

/// Where a request goes, for the answers that differ (401 JSON or a redirect to a page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `/api/...` and `/metrics`: answered with JSON.
    Api,
    /// A page of the site: answered with a redirect when it cannot be shown.
    Page,
    /// A static file (`/pkg/...`, `/favicon.ico`, ...).
    Asset,
}

/// The pages anyone may open.
pub(crate) const LOGIN_PAGE: &str = "/login";
/// The first-run page.
pub(crate) const SETUP_PAGE: &str = "/setup";

/// Pages only admins are shown (readers are sent to the library instead).
const ADMIN_PAGES: [&str; 2] = ["/settings", "/users"];

impl Access {
    /// Whether `role` is enough.
    pub(crate) fn allows(self, role: Option<Role>) -> bool {
        match self {
            Access::Public => true,
            Access::Reader => role.is_some(),
            Access::Admin => role == Some(Role::Admin),
        }
    }
}

/// Classifies a path.
pub(crate) fn target(path: &str) -> Target {
    let api = path
        .strip_prefix(paths::API)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if api || path == paths::METRICS {
        Target::Api
    } else if path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
    {
        Target::Asset
    } else {
        Target::Page
    }
}

/// What `method path` needs.
pub(crate) fn required(method: &Method, path: &str) -> Access {
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    match target(path) {
        Target::Asset => Access::Public,
        Target::Page if path == LOGIN_PAGE || path == SETUP_PAGE => Access::Public,
        Target::Page if ADMIN_PAGES.contains(&path.trim_end_matches('/')) => Access::Admin,
        Target::Page => Access::Reader,
        Target::Api => {
            let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
            if [
                paths::HEALTH,
                paths::AUTH_SETUP,
                paths::AUTH_LOGIN,
                paths::AUTH_ME,
            ]
            .contains(&path)
            {
                Access::Public
            } else if path == paths::AUTH_LOGOUT || under(paths::SESSIONS) {
                // Anyone signed in ends their own sessions; the handler keeps others' to admins.
                Access::Reader
            } else if under(paths::SETTINGS) || under(paths::USERS) || under(paths::API_KEYS) {
                Access::Admin
            } else if reads {
                Access::Reader
            } else {
                Access::Admin
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        use paths::*;
        let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
        let (patch, delete) = (Method::PATCH, Method::DELETE);
        let cover = paths::cover("a/b.cbz", Some("0123"));
        let (file, job, user, key, session) = (
            paths::file("a/b.cbz"),
            paths::job(1),
            paths::user(1),
            paths::api_key(1),
            paths::session(3),
        );
        let missing = format!("{API}/nonexistent");
        let cases: Vec<(&Method, &str, Access)> = vec![
            (&get, HEALTH, Access::Public),
            (&post, AUTH_LOGIN, Access::Public),
            (&post, AUTH_SETUP, Access::Public),
            (&get, AUTH_ME, Access::Public),
            (&post, AUTH_LOGOUT, Access::Reader),
            (&get, FILES, Access::Reader),
            (&get, &file, Access::Reader),
            // Covers: readers may look; nothing writes them through the API.
            (
                &get,
                cover.split('?').next().unwrap_or_default(),
                Access::Reader,
            ),
            (
                &post,
                cover.split('?').next().unwrap_or_default(),
                Access::Admin,
            ),
            (&get, EVENTS_STREAM, Access::Reader),
            (&get, HISTORY, Access::Reader),
            (&get, SESSIONS, Access::Reader),
            (&delete, &session, Access::Reader),
            (&get, SETTINGS, Access::Admin),
            (&put, SETTINGS, Access::Admin),
            (&get, USERS, Access::Admin),
            (&patch, &user, Access::Admin),
            (&get, API_KEYS, Access::Admin),
            (&delete, &key, Access::Admin),
            (&post, JOBS, Access::Admin),
            (&delete, &job, Access::Admin),
            (&post, WATCHER, Access::Admin),
            (&post, CACHE_REBUILD, Access::Admin),
            (&post, EVENTS_BROADCAST, Access::Admin),
            (&post, &missing, Access::Admin),
            (&get, METRICS, Access::Reader),
            (&get, "/", Access::Reader),
            (&get, "/history", Access::Reader),
            (&get, "/settings", Access::Admin),
            (&get, "/users", Access::Admin),
            (&get, LOGIN_PAGE, Access::Public),
            (&get, SETUP_PAGE, Access::Public),
            (&get, "/pkg/longbox.wasm", Access::Public),
            (&get, "/favicon.ico", Access::Public),
            (&get, "/favicon.svg", Access::Public),
            (&get, "/manifest.webmanifest", Access::Public),
            (&get, "/icons/icon-192.png", Access::Public),
        ];
        for (method, path, access) in cases {
            assert_eq!(required(method, path), access, "{method} {path}");
        }
        assert_eq!(
            target("/apiary"),
            Target::Page,
            "a page whose name starts like the API"
        );
    }

    #[test]
    fn roles_against_access() {
        assert!(Access::Public.allows(None));
        assert!(!Access::Reader.allows(None));
        assert!(Access::Reader.allows(Some(Role::Reader)));
        assert!(!Access::Admin.allows(Some(Role::Reader)));
        assert!(Access::Admin.allows(Some(Role::Admin)));
    }
}
