//! [`Accounts`]: users, sessions and API keys, kept in memory for admission (every request and
//! every event stream is checked without touching the database) and written through to
//! `db::accounts`.

use super::password::{self, PasswordHasherPool};
use super::throttle::LoginThrottle;
use super::token::{self, Digest};
use super::Identity;
use crate::db::accounts::{StoredKey, StoredSession};
use crate::db::Db;
use crate::hub::{EventHub, Owner};
use app::api::auth::{
    ApiKeyView, CreatedApiKey, Credentials, NewUser, Role, SessionView, UserView,
};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Longest user name, in characters.
pub const MAX_USERNAME_CHARS: usize = 64;

/// How often last-use times are written to the database.
pub const TOUCH_FLUSH_EVERY: Duration = Duration::from_secs(60);

/// Why an account operation failed; the HTTP layer maps each to its status.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// 400: a name or password that breaks the rules.
    #[error("{0}")]
    Invalid(String),
    /// 401: wrong user name or password (the same answer for both).
    #[error("wrong user name or password")]
    WrongCredentials,
    /// 404: no such account, key or session.
    #[error("{0}")]
    NotFound(String),
    /// 409: the first admin exists already, a name is taken, or the last admin would go.
    #[error("{0}")]
    Conflict(String),
    /// 429: too many failed logins from this address; retry after that many seconds.
    #[error("too many failed logins; try again in {0} s")]
    Throttled(u64),
    /// 500: the database failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A signed-in session: the cookie value (sent once) and who it is.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// The account.
    pub user: UserView,
    /// Its id.
    pub session_id: i64,
}

/// An account as admission needs it.
#[derive(Debug, Clone)]
struct CachedUser {
    /// The name shown.
    username: String,
    /// What it may do.
    role: Role,
    /// Unix seconds when created.
    created_at: f64,
}

/// A session as admission needs it.
#[derive(Debug)]
struct CachedSession {
    /// Row id.
    id: i64,
    /// Whose.
    user_id: i64,
    /// Unix seconds of the last request.
    last_seen: AtomicU64,
    /// Unix seconds last written to the database.
    stored: AtomicU64,
    /// Unix seconds when signed in.
    created_at: f64,
    /// The browser it came from.
    user_agent: Option<String>,
}

/// A key as admission needs it.
#[derive(Debug)]
struct CachedKey {
    /// The listed facts.
    view: ApiKeyView,
    /// Unix seconds of the last request (0: never).
    last_used: AtomicU64,
    /// Unix seconds last written to the database.
    stored: AtomicU64,
}

/// What admission reads, keyed by token digest.
#[derive(Debug, Default)]
struct Cache {
    /// Accounts by id.
    users: HashMap<i64, CachedUser>,
    /// Sessions by cookie digest.
    sessions: HashMap<Digest, CachedSession>,
    /// API keys by key digest.
    keys: HashMap<Digest, CachedKey>,
}

/// What a session cookie turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SessionCheck {
    /// A live session.
    Valid(Identity),
    /// It was a session, unused for longer than the idle time (now ended).
    Expired,
    /// Not a session of this server (tampered, from before a reset, or logged out).
    Unknown,
}

/// Users, sessions and API keys.
pub struct Accounts {
    /// Where they persist.
    db: Arc<Db>,
    /// Where open streams of ended sessions are told and closed.
    hub: Arc<EventHub>,
    /// Argon2id, a few at a time.
    hasher: PasswordHasherPool,
    /// Failed logins per client address.
    throttle: LoginThrottle,
    /// How long an unused session lives.
    idle: Duration,
    /// The admission view of the tables.
    cache: RwLock<Cache>,
    /// Held by changes that must see and keep an invariant across the database and the cache
    /// (there is always an admin), so two at once cannot both pass the check.
    role_changes: tokio::sync::Mutex<()>,
}

fn now_unix() -> f64 {
    crate::hub::unix_now()
}

fn check_username(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_USERNAME_CHARS {
        return Err(AccountError::Invalid(format!(
            "the user name must have 1 to {MAX_USERNAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AccountError::Invalid(
            "the user name must not contain control characters".into(),
        ));
    }
    Ok(name.to_string())
}

fn check_password(password: &str) -> Result<(), AccountError> {
    password::check_new(password).map_err(|e| AccountError::Invalid(e.to_string()))
}

/// Runs blocking database work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, AccountError> {
    Ok(tokio::task::spawn_blocking(f)
        .await
        .map_err(anyhow::Error::from)??)
}

impl Accounts {
    /// Loads every account, session and key.
    pub fn open(db: Arc<Db>, hub: Arc<EventHub>, idle: Duration) -> anyhow::Result<Self> {
        let mut cache = Cache::default();
        let accounts = db.accounts();
        for user in accounts.users()? {
            cache.users.insert(
                user.view.id,
                CachedUser {
                    username: user.view.username,
                    role: user.view.role,
                    created_at: user.view.created_at,
                },
            );
        }
        for s in accounts.sessions()? {
            cache.sessions.insert(s.token_hash, cached_session(&s));
        }
        for k in accounts.keys()? {
            cache.keys.insert(k.key_hash, cached_key(k));
        }
        Ok(Self {
            db,
            hub,
            hasher: PasswordHasherPool::new()?,
            throttle: LoginThrottle::default(),
            idle,
            cache: RwLock::new(cache),
            role_changes: tokio::sync::Mutex::new(()),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cache.read().expect("accounts cache")
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Cache> {
        self.cache.write().expect("accounts cache")
    }

    /// No account exists yet.
    pub fn setup_needed(&self) -> bool {
        self.read().users.is_empty()
    }

    /// Checks a session cookie, marking the session used.
    pub(crate) fn check_session(&self, cookie: &str) -> SessionCheck {
        let digest = token::digest(cookie);
        let now = now_unix();
        let expired = {
            let cache = self.read();
            let Some(session) = cache.sessions.get(&digest) else {
                return SessionCheck::Unknown;
            };
            let last = session.last_seen.load(Ordering::Relaxed) as f64;
            if now - last <= self.idle.as_secs_f64() {
                let Some(user) = cache.users.get(&session.user_id) else {
                    return SessionCheck::Unknown;
                };
                session.last_seen.fetch_max(now as u64, Ordering::Relaxed);
                return SessionCheck::Valid(Identity::Session {
                    session: session.id,
                    user: session.user_id,
                    username: user.username.clone(),
                    role: user.role,
                });
            }
            session.id
        };
        self.forget_sessions(&[expired]);
        let db = self.db.clone();
        std::thread::spawn(move || db.accounts().delete_sessions(&[expired]));
        SessionCheck::Expired
    }

    /// Checks an API key, marking it used.
    pub(crate) fn check_key(&self, key: &str) -> Option<Identity> {
        let cache = self.read();
        let cached = cache.keys.get(&token::digest(key))?;
        cached
            .last_used
            .fetch_max(now_unix() as u64, Ordering::Relaxed);
        Some(Identity::Key {
            key: cached.view.id,
            name: cached.view.name.clone(),
            role: cached.view.role,
        })
    }

    /// Creates the first admin and signs it in; 409 once any account exists.
    pub async fn setup(
        &self,
        credentials: Credentials,
        user_agent: Option<String>,
    ) -> Result<NewSession, AccountError> {
        let username = check_username(&credentials.username)?;
        check_password(&credentials.password)?;
        if !self.setup_needed() {
            return Err(AccountError::Conflict("Longbox is already set up".into()));
        }
        let hash = self.hasher.hash(credentials.password).await?;
        let db = self.db.clone();
        let created = blocking(move || {
            db.accounts()
                .create_first_admin(&username, &hash, now_unix())
        })
        .await?
        .ok_or_else(|| AccountError::Conflict("Longbox is already set up".into()))?;
        self.cache_user(&created);
        self.start_session(created, user_agent).await
    }

    /// Signs in with a user name and password.
    pub async fn login(
        &self,
        credentials: Credentials,
        client: IpAddr,
        user_agent: Option<String>,
    ) -> Result<NewSession, AccountError> {
        self.throttle
            .reserve(client, Instant::now())
            .map_err(AccountError::Throttled)?;
        if credentials.password.len() > password::MAX_PASSWORD_BYTES {
            return Err(AccountError::WrongCredentials);
        }
        let db = self.db.clone();
        let name = credentials.username.trim().to_string();
        let stored = blocking(move || db.accounts().user_by_name(&name)).await?;
        let hash = stored.as_ref().map(|u| u.password_hash.clone());
        if !self.hasher.verify(credentials.password, hash).await {
            return Err(AccountError::WrongCredentials);
        }
        self.throttle.succeeded(client);
        let user = stored.expect("verified against a stored hash").view;
        self.start_session(user, user_agent).await
    }

    async fn start_session(
        &self,
        user: UserView,
        user_agent: Option<String>,
    ) -> Result<NewSession, AccountError> {
        let token = token::new_token("");
        let digest = token::digest(&token);
        let db = self.db.clone();
        let (user_id, ua) = (user.id, user_agent.clone());
        let now = now_unix();
        let session_id = blocking(move || {
            db.accounts()
                .insert_session(&digest, user_id, now, ua.as_deref())
        })
        .await?;
        self.write().sessions.insert(
            digest,
            cached_session(&StoredSession {
                id: session_id,
                token_hash: digest,
                user_id,
                created_at: now,
                last_seen: now,
                user_agent,
            }),
        );
        Ok(NewSession {
            token,
            user,
            session_id,
        })
    }

    /// Ends sessions (logout, or an admin's "sign out"): their streams get `session_expired`
    /// and close.
    pub async fn end_sessions(&self, ids: Vec<i64>) -> Result<(), AccountError> {
        let db = self.db.clone();
        let to_delete = ids.clone();
        blocking(move || db.accounts().delete_sessions(&to_delete)).await?;
        self.forget_sessions(&ids);
        Ok(())
    }

    /// Drops sessions from the cache and closes their streams.
    fn forget_sessions(&self, ids: &[i64]) {
        self.write().sessions.retain(|_, s| !ids.contains(&s.id));
        self.hub
            .end_streams(|owner| owner.session.is_some_and(|s| ids.contains(&s)));
    }

    /// The signed-in sessions; all of them, or one account's.
    pub fn sessions(&self, of_user: Option<i64>, current: Option<i64>) -> Vec<SessionView> {
        let cache = self.read();
        let mut list: Vec<SessionView> = cache
            .sessions
            .values()
            .filter(|s| of_user.is_none_or(|u| u == s.user_id))
            .map(|s| SessionView {
                id: s.id,
                username: cache
                    .users
                    .get(&s.user_id)
                    .map(|u| u.username.clone())
                    .unwrap_or_default(),
                created_at: s.created_at,
                last_seen: s.last_seen.load(Ordering::Relaxed) as f64,
                user_agent: s.user_agent.clone(),
                current: current == Some(s.id),
            })
            .collect();
        list.sort_by_key(|s| s.id);
        list
    }

    /// One account.
    pub fn user(&self, id: i64) -> Option<UserView> {
        self.read().users.get(&id).map(|u| UserView {
            id,
            username: u.username.clone(),
            role: u.role,
            created_at: u.created_at,
        })
    }

    /// Whose session `id` is.
    pub fn session_owner(&self, id: i64) -> Option<i64> {
        self.read()
            .sessions
            .values()
            .find(|s| s.id == id)
            .map(|s| s.user_id)
    }

    /// Every account, oldest first.
    pub async fn users(&self) -> Result<Vec<UserView>, AccountError> {
        let db = self.db.clone();
        let users = blocking(move || db.accounts().users()).await?;
        Ok(users.into_iter().map(|u| u.view).collect())
    }

    /// Creates an account.
    pub async fn create_user(&self, new: NewUser) -> Result<UserView, AccountError> {
        let username = check_username(&new.username)?;
        check_password(&new.password)?;
        let hash = self.hasher.hash(new.password).await?;
        let db = self.db.clone();
        let name = username.clone();
        let created = blocking(move || {
            db.accounts()
                .create_user(&name, &hash, new.role, now_unix())
        })
        .await?
        .ok_or_else(|| AccountError::Conflict(format!("the name {username:?} is taken")))?;
        self.cache_user(&created);
        Ok(created)
    }

    /// Changes an account's role; the last admin cannot be demoted.
    pub async fn set_role(&self, id: i64, role: Role) -> Result<(), AccountError> {
        let _one_at_a_time = self.role_changes.lock().await;
        if role != Role::Admin && self.is_last_admin(id) {
            return Err(AccountError::Conflict(
                "this is the only admin; make another account admin first".into(),
            ));
        }
        let db = self.db.clone();
        if !blocking(move || db.accounts().set_role(id, role)).await? {
            return Err(no_user(id));
        }
        if let Some(user) = self.write().users.get_mut(&id) {
            user.role = role;
        }
        // Open streams were admitted with the old role: they end and reconnect with the new one.
        self.hub.end_streams(|owner| owner.user == Some(id));
        Ok(())
    }

    /// Sets a new password; the account's sessions end.
    pub async fn set_password(&self, id: i64, password: String) -> Result<(), AccountError> {
        check_password(&password)?;
        let hash = self.hasher.hash(password).await?;
        let db = self.db.clone();
        let ended = blocking(move || db.accounts().set_password(id, &hash))
            .await?
            .ok_or_else(|| no_user(id))?;
        self.forget_sessions(&ended);
        Ok(())
    }

    /// Deletes an account; its sessions end. The last admin cannot be deleted.
    pub async fn delete_user(&self, id: i64) -> Result<(), AccountError> {
        let _one_at_a_time = self.role_changes.lock().await;
        if self.is_last_admin(id) {
            return Err(AccountError::Conflict(
                "this is the only admin; make another account admin first".into(),
            ));
        }
        let db = self.db.clone();
        let ended = blocking(move || db.accounts().delete_user(id))
            .await?
            .ok_or_else(|| no_user(id))?;
        self.write().users.remove(&id);
        self.forget_sessions(&ended);
        self.hub.end_streams(|owner| owner.user == Some(id));
        Ok(())
    }

    fn is_last_admin(&self, id: i64) -> bool {
        let cache = self.read();
        let admins: Vec<i64> = cache
            .users
            .iter()
            .filter(|(_, u)| u.role == Role::Admin)
            .map(|(id, _)| *id)
            .collect();
        admins == [id]
    }

    fn cache_user(&self, user: &UserView) {
        self.write().users.insert(
            user.id,
            CachedUser {
                username: user.username.clone(),
                role: user.role,
                created_at: user.created_at,
            },
        );
    }

    /// Every API key (without the keys themselves).
    pub fn keys(&self) -> Vec<ApiKeyView> {
        let mut keys: Vec<ApiKeyView> = self
            .read()
            .keys
            .values()
            .map(|k| {
                let mut view = k.view.clone();
                let used = k.last_used.load(Ordering::Relaxed);
                view.last_used = (used > 0).then_some(used as f64);
                view
            })
            .collect();
        keys.sort_by_key(|k| k.id);
        keys
    }

    /// Creates an API key; the key is in the answer and nowhere else.
    pub async fn create_key(
        &self,
        name: String,
        role: Role,
        created_by: Option<i64>,
    ) -> Result<CreatedApiKey, AccountError> {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > MAX_USERNAME_CHARS {
            return Err(AccountError::Invalid(format!(
                "the key name must have 1 to {MAX_USERNAME_CHARS} characters"
            )));
        }
        let key = token::new_token(token::API_KEY_PREFIX);
        let digest = token::digest(&key);
        let db = self.db.clone();
        let view = blocking(move || {
            db.accounts()
                .insert_key(&name, &digest, role, created_by, now_unix())
        })
        .await?;
        self.write().keys.insert(
            digest,
            cached_key(StoredKey {
                view: view.clone(),
                key_hash: digest,
            }),
        );
        Ok(CreatedApiKey { key, view })
    }

    /// Revokes an API key: requests with it get 401, its streams `session_expired`.
    pub async fn revoke_key(&self, id: i64) -> Result<(), AccountError> {
        let db = self.db.clone();
        if !blocking(move || db.accounts().delete_key(id)).await? {
            return Err(AccountError::NotFound(format!("no API key {id}")));
        }
        self.write().keys.retain(|_, k| k.view.id != id);
        self.hub.end_streams(|owner| owner.key == Some(id));
        Ok(())
    }

    /// Ends sessions unused for longer than the idle time (also those whose cookie never comes
    /// back), so the table and `/api/sessions` hold only live ones.
    pub fn sweep_expired(&self) -> anyhow::Result<usize> {
        let now = now_unix();
        let expired: Vec<i64> = self
            .read()
            .sessions
            .values()
            .filter(|s| now - s.last_seen.load(Ordering::Relaxed) as f64 > self.idle.as_secs_f64())
            .map(|s| s.id)
            .collect();
        if !expired.is_empty() {
            self.db.accounts().delete_sessions(&expired)?;
            self.forget_sessions(&expired);
        }
        Ok(expired.len())
    }

    /// Writes last-use times that changed since the last flush.
    pub fn flush_touches(&self) -> anyhow::Result<()> {
        let (sessions, keys) = {
            let cache = self.read();
            let dirty = |seen: &AtomicU64, stored: &AtomicU64| {
                let at = seen.load(Ordering::Relaxed);
                (at > stored.swap(at, Ordering::Relaxed)).then_some(at as f64)
            };
            let sessions: Vec<(i64, f64)> = cache
                .sessions
                .values()
                .filter_map(|s| dirty(&s.last_seen, &s.stored).map(|at| (s.id, at)))
                .collect();
            let keys: Vec<(i64, f64)> = cache
                .keys
                .values()
                .filter_map(|k| dirty(&k.last_used, &k.stored).map(|at| (k.view.id, at)))
                .collect();
            (sessions, keys)
        };
        if sessions.is_empty() && keys.is_empty() {
            return Ok(());
        }
        self.db.accounts().touch(&sessions, &keys)
    }
}

fn no_user(id: i64) -> AccountError {
    AccountError::NotFound(format!("no account {id}"))
}

fn cached_session(s: &StoredSession) -> CachedSession {
    CachedSession {
        id: s.id,
        user_id: s.user_id,
        last_seen: AtomicU64::new(s.last_seen as u64),
        stored: AtomicU64::new(s.last_seen as u64),
        created_at: s.created_at,
        user_agent: s.user_agent.clone(),
    }
}

fn cached_key(k: StoredKey) -> CachedKey {
    let used = k.view.last_used.unwrap_or(0.0) as u64;
    CachedKey {
        view: k.view,
        last_used: AtomicU64::new(used),
        stored: AtomicU64::new(used),
    }
}

impl Identity {
    /// Whose streams these are, for ending them with the session, account or key.
    pub fn owner(&self) -> Owner {
        match self {
            Identity::Session { session, user, .. } => Owner {
                user: Some(*user),
                session: Some(*session),
                key: None,
            },
            Identity::Key { key, .. } => Owner {
                user: None,
                session: None,
                key: Some(*key),
            },
            Identity::Anonymous | Identity::Local => Owner::default(),
        }
    }
}
