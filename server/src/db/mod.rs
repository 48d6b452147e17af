//! The database: the only module that opens SQLite or holds SQL, so the schema, its upgrades and
//! every query sit in one place behind typed methods.
//!
//! rusqlite (bundled SQLite) rather than sqlx: every query is a short synchronous call that runs
//! on a blocking thread, the schema is small, and one bundled C library builds anywhere without
//! a system SQLite or compile-time database.
//!
//! [`Db`] owns the connection (WAL; every pragma is set in `connect`). Each table group is one
//! file with a handle borrowed from it, so a new group (accounts) is one more file declaring its
//! handle and its accessor on [`Db`]:
//!
//! - [`accounts`]: `db.accounts()`, users, sessions and API keys.
//! - [`files`]: `db.files()`, the file list, its markers and list query; `search` keeps its
//!   trigram index.
//! - [`covers`]: `db.covers()`, each file's cover thumbnail (its content hash) or why it has none.
//! - [`history`]: `db.history()`, one row per file processed.
//! - [`jobs`]: `db.jobs()`, jobs, their items and rename intents, and the changes undo reads.
//! - [`settings`]: `db.settings()`, the stored settings.
//! - `temp_files`: the [`TempLedger`](crate::comic::archive::TempLedger) of [`Db`].
//! - [`migrations`]: the numbered schema steps, tracked by `user_version`.
//!
//! Status words (`JobAction`, `JobStatus`, `ItemOutcome`, ...) are stored as their serde names
//! through `Wire`, the one conversion between those enums and TEXT columns.

pub mod accounts;
pub mod covers;
pub mod files;
pub mod history;
pub mod jobs;
pub mod migrations;
mod search;
pub mod settings;
mod temp_files;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The database file inside the data dir.
pub const FILE_NAME: &str = "longbox.db";

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite database. Every method of its handles is a short blocking call.
pub struct Db {
    /// The one connection, shared by every handle.
    conn: Mutex<Connection>,
    /// Woken after each committed change to the file list (the cover generator waits on it);
    /// a change while nobody waits is kept as one pending wake-up.
    changed: tokio::sync::Notify,
}

/// Opens a connection with the settings every Longbox connection uses: write-ahead log (readers
/// never wait for the writer), `synchronous = NORMAL` (safe with WAL), foreign keys enforced, and
/// a busy timeout instead of immediate `SQLITE_BUSY`.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

impl Db {
    /// Opens (creating and upgrading) [`FILE_NAME`] in `data_dir`.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        let mut conn = connect(&data_dir.join(FILE_NAME))?;
        migrations::migrate(&mut conn)?;
        // Files from before the search index (or a crash between writes) get indexed now.
        let tx = conn.transaction()?;
        search::index_new_files(&tx)?;
        tx.commit()?;
        Ok(Self {
            conn: Mutex::new(conn),
            changed: tokio::sync::Notify::new(),
        })
    }

    /// The schema version the file is at (`PRAGMA user_version`).
    pub fn schema_version(&self) -> anyhow::Result<u32> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Notified after each committed change to the file list.
    pub fn files_changed(&self) -> &tokio::sync::Notify {
        &self.changed
    }

    /// The connection, for the handles.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().expect("db lock")
    }
}

/// An enum stored as its serde name (`JobStatus::Queued` ↔ `'queued'`): the one conversion
/// between the status words of `app` and TEXT columns, so the database holds exactly what the
/// JSON API sends.
pub(crate) struct Wire<T>(pub(crate) T);

impl<T: Serialize> ToSql for Wire<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match serde_json::to_value(&self.0) {
            Ok(serde_json::Value::String(name)) => Ok(ToSqlOutput::from(name)),
            Ok(other) => Err(rusqlite::Error::ToSqlConversionFailure(
                format!("{other} is not a name").into(),
            )),
            Err(e) => Err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))),
        }
    }
}

impl<T: DeserializeOwned> FromSql for Wire<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let name = value.as_str()?;
        serde_json::from_value(serde_json::Value::from(name))
            .map(Wire)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}
