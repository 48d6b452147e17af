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
    if path == paths::API || path.starts_with("/api/") || path == paths::METRICS {
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
        let get = Method::GET;
        let post = Method::POST;
        let cases = [
            (&get, "/api/health", Access::Public),
            (&post, "/api/auth/login", Access::Public),
            (&post, "/api/auth/setup", Access::Public),
            (&get, "/api/auth/me", Access::Public),
            (&post, "/api/auth/logout", Access::Reader),
            (&get, "/api/files", Access::Reader),
            (&get, "/api/files/a/b.cbz", Access::Reader),
            (&get, "/api/events/stream", Access::Reader),
            (&get, "/api/history", Access::Reader),
            (&get, "/api/sessions", Access::Reader),
            (&Method::DELETE, "/api/sessions/3", Access::Reader),
            (&get, "/api/settings", Access::Admin),
            (&Method::PUT, "/api/settings", Access::Admin),
            (&get, "/api/users", Access::Admin),
            (&get, "/api/keys", Access::Admin),
            (&post, "/api/jobs", Access::Admin),
            (&post, "/api/watcher", Access::Admin),
            (&post, "/api/cache/rebuild", Access::Admin),
            (&post, "/api/events/broadcast", Access::Admin),
            (&Method::DELETE, "/api/jobs/1", Access::Admin),
            (&post, "/api/nonexistent", Access::Admin),
            (&get, "/metrics", Access::Reader),
            (&get, "/", Access::Reader),
            (&get, "/history", Access::Reader),
            (&get, "/settings", Access::Admin),
            (&get, "/users", Access::Admin),
            (&get, "/login", Access::Public),
            (&get, "/setup", Access::Public),
            (&get, "/pkg/longbox.wasm", Access::Public),
            (&get, "/favicon.ico", Access::Public),
        ];
        for (method, path, access) in cases {
            assert_eq!(required(method, path), access, "{method} {path}");
        }
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
