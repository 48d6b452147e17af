//! The schema as numbered steps, tracked by `PRAGMA user_version`: a database at version `n`
//! has run the first `n` steps, and opening it runs the rest, each in its own transaction.
//!
//! A step, once released, never changes (databases that ran it would differ from new ones):
//! a change to the schema is a new step at the end.

use rusqlite::Connection;

/// The schema version of a database every step has run on.
pub const LATEST: u32 = STEPS.len() as u32;

/// Brings a database up to [`LATEST`], one transaction per step.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (done, sql) in STEPS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", done + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The steps (files and their search index, settings, history, jobs), applied in order: after
/// step `i` (from 0) the `user_version` is `i + 1`.
pub const STEPS: &[&str] = &[
    "CREATE TABLE files (
        path       TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        folder     TEXT NOT NULL,
        sort_key   TEXT NOT NULL,
        size       INTEGER NOT NULL,
        mtime_ns   INTEGER NOT NULL,
        first_seen REAL NOT NULL,
        processed  INTEGER NOT NULL DEFAULT 0,
        duplicate  INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX files_by_sort_key ON files(sort_key);
    CREATE INDEX files_by_mtime ON files(mtime_ns, sort_key);
    CREATE INDEX files_by_size ON files(size, sort_key);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE history (
        id        INTEGER PRIMARY KEY,
        at        REAL NOT NULL,
        job_id    TEXT,
        action    TEXT NOT NULL,
        old_path  TEXT NOT NULL,
        new_path  TEXT NOT NULL,
        outcome   TEXT NOT NULL,
        error     TEXT,
        tags_json TEXT
    );",
    "CREATE TABLE jobs (
        id          TEXT PRIMARY KEY,
        action      TEXT NOT NULL,
        status      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        finished_at REAL,
        total       INTEGER NOT NULL,
        processed   INTEGER NOT NULL DEFAULT 0,
        success     INTEGER NOT NULL DEFAULT 0,
        errors      INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE job_items (
        job_id   TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        idx      INTEGER NOT NULL,
        path     TEXT NOT NULL,
        state    TEXT NOT NULL DEFAULT 'pending',
        outcome  TEXT,
        new_path TEXT,
        error    TEXT,
        PRIMARY KEY (job_id, idx)
    ) WITHOUT ROWID;",
    // A narrow index: COUNT(*) and the marker filters read it instead of the whole table.
    "CREATE INDEX files_by_markers ON files(processed, duplicate);",
    // Substring search through a trigram index instead of reading every row. `files` has no
    // rowid, so each file keeps the id of its index row; `db::search` indexes rows whose id is
    // NULL (new or renamed files) and the triggers drop index rows the files table lets go of.
    "ALTER TABLE files ADD COLUMN search_rowid INTEGER;
    CREATE INDEX files_unindexed ON files(path) WHERE search_rowid IS NULL;
    CREATE VIRTUAL TABLE files_search USING fts5(key, path UNINDEXED, tokenize = 'trigram');
    CREATE TRIGGER files_search_delete AFTER DELETE ON files BEGIN
        DELETE FROM files_search WHERE rowid = old.search_rowid;
    END;
    CREATE TRIGGER files_search_move AFTER UPDATE OF path ON files BEGIN
        DELETE FROM files_search WHERE rowid = old.search_rowid;
        UPDATE files SET search_rowid = NULL WHERE path = new.path;
    END;",
    // Longbox's temp files, recorded before they are created: clean-up after a crash removes
    // exactly these, never files that merely look like them.
    "CREATE TABLE temp_files (
        path       TEXT PRIMARY KEY,
        target     TEXT NOT NULL,
        created_at REAL NOT NULL
    );",
    // Each item's intended new path, written before its file is renamed, so a resumed job
    // finds a file that was renamed just before a crash instead of calling it missing.
    "ALTER TABLE job_items ADD COLUMN intent_path TEXT;",
    // What each job item changed (old name, old ComicInfo.xml, the file's state afterwards),
    // written before the disk is touched, so a finished job can be undone.
    "CREATE TABLE changes (
        job_id         TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        idx            INTEGER NOT NULL,
        old_path       TEXT NOT NULL,
        new_path       TEXT NOT NULL,
        tags_changed   INTEGER NOT NULL,
        old_xml        TEXT,
        after_size     INTEGER,
        after_mtime_ns INTEGER,
        PRIMARY KEY (job_id, idx)
    ) WITHOUT ROWID;",
    // An undo job names the job it undoes.
    "ALTER TABLE jobs ADD COLUMN undo_of TEXT;",
    // Accounts: users, their sessions and API keys.
    super::accounts::SCHEMA,
    // Cover thumbnails: the content hash of each file's thumbnail, or why none can be made;
    // both cleared when the file changes. The partial index finds the files still to do.
    "ALTER TABLE files ADD COLUMN cover_key TEXT;
    ALTER TABLE files ADD COLUMN cover_error TEXT;
    CREATE INDEX files_cover_missing ON files(sort_key) WHERE cover_key IS NULL AND cover_error IS NULL;",
];
