//! File-list search against a real SQLite file: the trigram index follows adds, renames, folder
//! removals and deletes, handles quotes, short searches still work, and a database from before
//! the index gets it built when opened.

use app::api::{FilePage, FileQuery};
use longbox::db::files::{Changes, DiskFile};
use longbox::db::Db;
use longbox::paths::RelPath;

fn file(path: &str) -> DiskFile {
    DiskFile {
        path: RelPath::parse(path).unwrap(),
        size: path.len() as u64,
        mtime_ns: 1,
    }
}

fn add(store: &Db, paths: &[&str]) {
    let changes = Changes {
        added: paths.iter().map(|p| file(p)).collect(),
        ..Changes::default()
    };
    store.files().apply(&changes, 1.0).unwrap();
}

fn search(store: &Db, text: &str) -> Vec<String> {
    let page: FilePage = store
        .files()
        .list(&FileQuery {
            search: text.to_string(),
            per_page: 500,
            ..FileQuery::default()
        })
        .unwrap();
    assert_eq!(
        page.total_files as usize,
        page.files.len(),
        "count matches rows"
    );
    page.files.into_iter().map(|f| f.path).collect()
}

const LIBRARY: &[&str] = &[
    "Batman/Batman 001.cbz",
    "Batman/Batman 002.cbz",
    "Saga/Saga #004 (2012).cbz",
    "Odd/He said \"Hi\" 1.cbz",
    "Manga/ÄÖÜ Ærø 3.cbz",
];

#[test]
fn search_follows_every_change_and_handles_odd_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Db::open(dir.path()).unwrap();
    add(&store, LIBRARY);

    assert_eq!(
        search(&store, "ATMAN 00").len(),
        2,
        "case-insensitive substring"
    );
    assert_eq!(
        search(&store, "saga/"),
        vec!["Saga/Saga #004 (2012).cbz"],
        "folder part"
    );
    assert_eq!(search(&store, "#004 (2"), vec!["Saga/Saga #004 (2012).cbz"]);
    assert_eq!(
        search(&store, "said \"hi"),
        vec!["Odd/He said \"Hi\" 1.cbz"],
        "quotes"
    );
    assert_eq!(
        search(&store, "ærø"),
        vec!["Manga/ÄÖÜ Ærø 3.cbz"],
        "non-ASCII"
    );
    assert_eq!(
        search(&store, "02"),
        vec!["Batman/Batman 002.cbz"],
        "two characters"
    );
    assert!(search(&store, "zzz").is_empty());
    assert_eq!(search(&store, "").len(), LIBRARY.len());
    for (page, rows) in [(2, 1), (5, 0)] {
        let p = store
            .files()
            .list(&FileQuery {
                search: "batman".into(),
                per_page: 1,
                page,
                ..FileQuery::default()
            })
            .unwrap();
        assert_eq!(
            (p.files.len(), p.total_files, p.total_pages),
            (rows, 2, 2),
            "page {page}"
        );
    }

    // A rename: the new path is found, the old one no longer.
    let renamed = Changes {
        renamed: vec![("Batman/Batman 001.cbz".into(), file("Bruce/Bruce 001.cbz"))],
        ..Changes::default()
    };
    store.files().apply(&renamed, 2.0).unwrap();
    assert_eq!(search(&store, "bruce"), vec!["Bruce/Bruce 001.cbz"]);
    assert_eq!(search(&store, "batman"), vec!["Batman/Batman 002.cbz"]);

    // A removed file and a removed folder leave the index too.
    let removed = Changes {
        removed: vec!["Saga/Saga #004 (2012).cbz".into()],
        ..Changes::default()
    };
    store.files().apply(&removed, 3.0).unwrap();
    assert!(search(&store, "saga").is_empty());
    store.files().remove_tree("Bruce").unwrap();
    assert!(search(&store, "bruce").is_empty());
    // Re-adding a path that was removed makes it findable again.
    add(&store, &["Bruce/Bruce 001.cbz"]);
    assert_eq!(search(&store, "bruce"), vec!["Bruce/Bruce 001.cbz"]);
}

#[test]
fn a_database_from_before_the_index_is_indexed_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Db::open(dir.path()).unwrap();
        add(&store, LIBRARY);
    }
    // Turn the file back into a version-3 database: no index, no triggers.
    {
        let conn = rusqlite::Connection::open(dir.path().join("longbox.db")).unwrap();
        conn.execute_batch(&format!(
            "{AFTER_V4} DROP TRIGGER files_search_delete; DROP TRIGGER files_search_move;
                 DROP INDEX files_unindexed; DROP TABLE files_search;
                 ALTER TABLE files DROP COLUMN search_rowid; PRAGMA user_version = 3;"
        ))
        .unwrap();
    }
    let store = Db::open(dir.path()).unwrap();
    assert_eq!(search(&store, "batman").len(), 2);
    assert_eq!(search(&store, "ærø").len(), 1);
}

/// Undoes every migration after version 4 (the schema Longbox had before temp-file records,
/// rename intents, undo records, accounts and covers).
const AFTER_V4: &str = "DROP INDEX files_cover_missing;
    ALTER TABLE files DROP COLUMN cover_key; ALTER TABLE files DROP COLUMN cover_error;
    DROP TABLE api_keys; DROP TABLE sessions; DROP TABLE users;
    DROP TABLE temp_files; DROP TABLE changes;
    ALTER TABLE job_items DROP COLUMN intent_path; ALTER TABLE jobs DROP COLUMN undo_of;";

#[test]
fn a_version_4_database_is_upgraded_without_losing_rows() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Db::open(dir.path()).unwrap();
        add(&store, LIBRARY);
    }
    {
        let conn = rusqlite::Connection::open(dir.path().join("longbox.db")).unwrap();
        conn.execute_batch(&format!("{AFTER_V4} PRAGMA user_version = 4;"))
            .unwrap();
        conn.execute_batch(
            "INSERT INTO jobs (id, action, status, created_at, total) VALUES ('j', 'process', 'processing', 1.0, 1);
             INSERT INTO job_items (job_id, idx, path) VALUES ('j', 0, 'Batman/Batman 001.cbz');
             INSERT INTO history (at, action, old_path, new_path, outcome) VALUES (1.0, 'rename', 'a', 'b', 'success');
             INSERT INTO settings (key, value) VALUES ('watcher_enabled', 'false');",
        )
        .unwrap();
    }
    let store = Db::open(dir.path()).unwrap();
    assert_eq!(search(&store, "batman").len(), 2, "files kept");
    assert_eq!(
        store.settings().watcher_enabled().unwrap(),
        Some(false),
        "settings kept"
    );
    assert_eq!(store.history().page(10, 0).unwrap().1, 1, "history kept");
    let job = store.jobs().get("j", true).unwrap().expect("job kept");
    assert_eq!(job.items.unwrap().len(), 1);
    assert_eq!(job.undo_of, None);
    let pending = store.jobs().pending_items("j").unwrap();
    assert_eq!(pending[0].intent, None, "new columns start empty");
    use longbox::comic::archive::TempLedger;
    assert!(
        store.recorded().is_empty(),
        "temp_files exists and is empty"
    );
}
