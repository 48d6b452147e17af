//! The accounts tables: users, their sessions and API keys. Tokens are stored only as
//! digests (see `auth::token`); passwords only as Argon2id PHC strings.

use super::{Db, Wire};
use app::api::auth::{ApiKeyView, Role, UserView};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

/// The schema step that creates these tables (appended to `migrations::STEPS`).
pub(crate) const SCHEMA: &str = "
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role          TEXT NOT NULL,
        created_at    REAL NOT NULL
    );
    CREATE TABLE sessions (
        id         INTEGER PRIMARY KEY,
        token_hash BLOB NOT NULL UNIQUE,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        last_seen  REAL NOT NULL,
        user_agent TEXT
    );
    CREATE INDEX sessions_by_user ON sessions(user_id);
    CREATE TABLE api_keys (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        key_hash   BLOB NOT NULL UNIQUE,
        role       TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at REAL NOT NULL,
        last_used  REAL
    );";

/// A user row, password hash included (never sent to clients).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredUser {
    /// The listed facts.
    pub view: UserView,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// A session row.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredSession {
    /// Row id.
    pub id: i64,
    /// SHA-256 of the cookie value.
    pub token_hash: [u8; 32],
    /// Whose session.
    pub user_id: i64,
    /// Unix seconds when signed in.
    pub created_at: f64,
    /// Unix seconds of its last request (written at most once a minute).
    pub last_seen: f64,
    /// The browser it came from.
    pub user_agent: Option<String>,
}

/// An API key row.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredKey {
    /// The listed facts.
    pub view: ApiKeyView,
    /// SHA-256 of the key.
    pub key_hash: [u8; 32],
}

/// The accounts tables, borrowed from [`Db::accounts`].
pub struct Accounts<'a> {
    /// The database.
    db: &'a Db,
}

impl Db {
    /// Users, sessions and API keys.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { db: self }
    }
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredUser> {
    Ok(StoredUser {
        view: UserView {
            id: r.get(0)?,
            username: r.get(1)?,
            role: r.get::<_, Wire<Role>>(2)?.0,
            created_at: r.get(3)?,
        },
        password_hash: r.get(4)?,
    })
}

const USER_COLUMNS: &str = "id, username, role, created_at, password_hash";

/// Whether an insert failed on a UNIQUE constraint (a taken user name).
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

impl Accounts<'_> {
    /// Creates the first admin, unless an account already exists (`Ok(None)`), in one
    /// write transaction so two racing setups cannot both succeed.
    pub fn create_first_admin(
        &self,
        username: &str,
        password_hash: &str,
        now: f64,
    ) -> anyhow::Result<Option<UserView>> {
        let mut conn = self.db.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: i64 = tx.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        if existing > 0 {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![username, password_hash, Wire(Role::Admin), now],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Some(UserView {
            id,
            username: username.to_string(),
            role: Role::Admin,
            created_at: now,
        }))
    }

    /// Creates an account; `Ok(None)` when the name is taken (case-insensitively).
    pub fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        now: f64,
    ) -> anyhow::Result<Option<UserView>> {
        let conn = self.db.conn();
        match conn.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![username, password_hash, Wire(role), now],
        ) {
            Ok(_) => Ok(Some(UserView {
                id: conn.last_insert_rowid(),
                username: username.to_string(),
                role,
                created_at: now,
            })),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every account, oldest first.
    pub fn users(&self) -> anyhow::Result<Vec<StoredUser>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))?;
        let rows = stmt.query_map([], user_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One account by name (case-insensitively).
    pub fn user_by_name(&self, username: &str) -> anyhow::Result<Option<StoredUser>> {
        Ok(self
            .db
            .conn()
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
                [username],
                user_from_row,
            )
            .optional()?)
    }

    /// Changes an account's role; false when there is no such account.
    pub fn set_role(&self, id: i64, role: Role) -> anyhow::Result<bool> {
        let n = self.db.conn().execute(
            "UPDATE users SET role = ?2 WHERE id = ?1",
            params![id, Wire(role)],
        )?;
        Ok(n > 0)
    }

    /// Replaces an account's password hash and ends its sessions; the ids of the sessions
    /// ended, or `None` when there is no such account.
    pub fn set_password(&self, id: i64, password_hash: &str) -> anyhow::Result<Option<Vec<i64>>> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id, password_hash],
        )?;
        if n == 0 {
            return Ok(None);
        }
        let ended = delete_sessions_of(&tx, id)?;
        tx.commit()?;
        Ok(Some(ended))
    }

    /// Deletes an account (its sessions go with it; its keys stay, unowned); the ids of the
    /// sessions ended, or `None` when there is no such account.
    pub fn delete_user(&self, id: i64) -> anyhow::Result<Option<Vec<i64>>> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        let ended = delete_sessions_of(&tx, id)?;
        let n = tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
        if n == 0 {
            return Ok(None);
        }
        tx.commit()?;
        Ok(Some(ended))
    }

    /// Records a new session; its id.
    pub fn insert_session(
        &self,
        token_hash: &[u8; 32],
        user_id: i64,
        now: f64,
        user_agent: Option<&str>,
    ) -> anyhow::Result<i64> {
        let conn = self.db.conn();
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, user_agent)
             VALUES (?1, ?2, ?3, ?3, ?4)",
            params![&token_hash[..], user_id, now, user_agent],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Every session.
    pub fn sessions(&self) -> anyhow::Result<Vec<StoredSession>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare(
            "SELECT id, token_hash, user_id, created_at, last_seen, user_agent
             FROM sessions ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let hash: Vec<u8> = r.get(1)?;
            Ok(StoredSession {
                id: r.get(0)?,
                token_hash: hash.try_into().unwrap_or([0; 32]),
                user_id: r.get(2)?,
                created_at: r.get(3)?,
                last_seen: r.get(4)?,
                user_agent: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes sessions by id.
    pub fn delete_sessions(&self, ids: &[i64]) -> anyhow::Result<()> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores when sessions and keys were last used.
    pub fn touch(&self, sessions: &[(i64, f64)], keys: &[(i64, f64)]) -> anyhow::Result<()> {
        let mut conn = self.db.conn();
        let tx = conn.transaction()?;
        for (id, at) in sessions {
            tx.execute(
                "UPDATE sessions SET last_seen = MAX(last_seen, ?2) WHERE id = ?1",
                params![id, at],
            )?;
        }
        for (id, at) in keys {
            tx.execute(
                "UPDATE api_keys SET last_used = MAX(COALESCE(last_used, 0), ?2) WHERE id = ?1",
                params![id, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a new API key.
    pub fn insert_key(
        &self,
        name: &str,
        key_hash: &[u8; 32],
        role: Role,
        created_by: Option<i64>,
        now: f64,
    ) -> anyhow::Result<ApiKeyView> {
        let conn = self.db.conn();
        conn.execute(
            "INSERT INTO api_keys (name, key_hash, role, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, &key_hash[..], Wire(role), created_by, now],
        )?;
        Ok(ApiKeyView {
            id: conn.last_insert_rowid(),
            name: name.to_string(),
            role,
            created_at: now,
            last_used: None,
        })
    }

    /// Every API key.
    pub fn keys(&self) -> anyhow::Result<Vec<StoredKey>> {
        let conn = self.db.conn();
        let mut stmt = conn.prepare(
            "SELECT id, name, role, created_at, last_used, key_hash FROM api_keys ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let hash: Vec<u8> = r.get(5)?;
            Ok(StoredKey {
                view: ApiKeyView {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get::<_, Wire<Role>>(2)?.0,
                    created_at: r.get(3)?,
                    last_used: r.get(4)?,
                },
                key_hash: hash.try_into().unwrap_or([0; 32]),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Revokes an API key; false when there is no such key.
    pub fn delete_key(&self, id: i64) -> anyhow::Result<bool> {
        Ok(self
            .db
            .conn()
            .execute("DELETE FROM api_keys WHERE id = ?1", [id])?
            > 0)
    }
}

/// Deletes a user's sessions inside `tx`; their ids.
fn delete_sessions_of(tx: &rusqlite::Transaction<'_>, user_id: i64) -> anyhow::Result<Vec<i64>> {
    let ids = {
        let mut stmt = tx.prepare("SELECT id FROM sessions WHERE user_id = ?1")?;
        let rows = stmt.query_map([user_id], |r| r.get(0))?;
        rows.collect::<Result<Vec<i64>, _>>()?
    };
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?;
    Ok(ids)
}
