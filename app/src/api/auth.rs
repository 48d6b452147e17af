//! Accounts, sessions and API keys: request and response types of `/api/auth/*`,
//! `/api/users` and `/api/keys`.

use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything: settings, jobs, the watcher, rebuilds, broadcasts, users and API keys.
    Admin,
    /// Browsing: the file list, details, the event stream and history.
    Reader,
}

/// Body of `POST /api/auth/setup` and `POST /api/auth/login`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    /// The account name.
    pub username: String,
    /// The password, in clear over the request (use HTTPS beyond the LAN).
    pub password: String,
}

/// `GET /api/auth/me`: who this request is, and what the server needs first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// No account exists yet: every page leads to `/setup`.
    pub setup_needed: bool,
    /// Accounts are off (`--no-auth`): everyone on this machine is an admin.
    pub no_auth: bool,
    /// What this request may do: `None` when nobody is signed in (an API key or `--no-auth`
    /// has a role but no account).
    pub role: Option<Role>,
    /// The signed-in account, if any.
    pub user: Option<UserView>,
}

/// One account, as the Users page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    /// Stable id.
    pub id: i64,
    /// The account name.
    pub username: String,
    /// What it may do.
    pub role: Role,
    /// Unix seconds when created.
    pub created_at: f64,
}

/// Body of `POST /api/users`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewUser {
    /// The account name (unique, case-insensitively).
    pub username: String,
    /// Its first password.
    pub password: String,
    /// What it may do.
    pub role: Role,
}

/// Body of `PATCH /api/users/{id}`: what to change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserUpdate {
    /// A new role.
    #[serde(default)]
    pub role: Option<Role>,
    /// A new password (ends the account's sessions).
    #[serde(default)]
    pub password: Option<String>,
}

/// One API key, as listed (the key itself is shown only once, when created).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyView {
    /// Stable id.
    pub id: i64,
    /// What the key is for, e.g. "komga sync".
    pub name: String,
    /// What a request with this key may do.
    pub role: Role,
    /// Unix seconds when created.
    pub created_at: f64,
    /// Unix seconds of the last request made with it.
    pub last_used: Option<f64>,
}

/// Body of `POST /api/keys`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewApiKey {
    /// What the key is for.
    pub name: String,
    /// What a request with this key may do.
    pub role: Role,
}

/// Answer of `POST /api/keys`: the key, shown this once, and its listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    /// Send as `Authorization: Bearer <key>`.
    pub key: String,
    /// How it is listed from now on.
    pub view: ApiKeyView,
}

/// One signed-in session, as `GET /api/sessions` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// Stable id (not the cookie).
    pub id: i64,
    /// Whose session it is.
    pub username: String,
    /// Unix seconds when signed in.
    pub created_at: f64,
    /// Unix seconds of its last request.
    pub last_seen: f64,
    /// The browser it was signed in from.
    pub user_agent: Option<String>,
    /// This is the session making the request.
    pub current: bool,
}
