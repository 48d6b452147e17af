//! Upgrades of real database files: a file an older Longbox left at any earlier schema version,
//! with rows in every table that version had, opens with every row intact and ends at the newest
//! version. And a released step never changes (databases that ran it would differ from new ones).

use app::api::{FileQuery, ItemOutcome, ItemState, JobAction};
use app::events::{JobProgress, JobStatus};
use longbox::comic::archive::TempLedger;
use longbox::db::jobs::{Change, PendingItem};
use longbox::db::migrations::{LATEST, STEPS};
use longbox::db::Db;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::path::Path;

/// SHA-256 of each released step's SQL, in order.
const RELEASED: [&str; 9] = [
    "8966a8849c3016b1ffd26776137bc2dd433166ecff15ed4a646902a4ee3ba527",
    "1b69193a9a9bb98807b64068304081f9b9034e2dd67299bff00ba89f5b89301f",
    "d446b0e30754d1eb9ed454f8daeaeff54e4ff84309ee0e13192c162c18aa5940",
    "2dac6d96fc8cb6cec86705f97e6914998585548d75cebb607419765128cdb89f",
    "e02589d6b8a4c9ba99b7e9d512dadc328be79e792b78b24e3641eb7ed9dabb70",
    "d2893edee115214137cf56d7d0ab7428279f9475baa27df90b4a49cb01a90ed4",
    "32e8899bff0e02847c07483f920bad800c8a09c6ea8ae392077f87f22d7f7773",
    "9d48a8ad09174ab1d1ab73087ab233d9607456ec71c40f7b13db456b26faf0ef",
    "abb4e2f50fc5d34f3bcb14a431494a4ebbb2fc982e36ad01ea90072fbdbaee87",
];

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn released_steps_never_change() {
    assert_eq!(LATEST as usize, STEPS.len());
    assert!(STEPS.len() >= RELEASED.len(), "a released step was removed");
    for (i, (step, released)) in STEPS.iter().zip(RELEASED).enumerate() {
        assert_eq!(
            sha256_hex(step),
            released,
            "step {} was released and must stay as it was; change the schema with a new step",
            i + 1
        );
    }
}

/// A temp file an interrupted rewrite left (recorded from version 5 on).
const TEMP_FILE: &str = "/library/Saga/.longbox-tmp-1.cbz";

/// Writes `longbox.db` in `dir` as Longbox left it at `version`: the first `version` steps, then
/// rows in every table that version had, with the words it stored.
fn old_database(dir: &Path, version: u32) {
    let conn = Connection::open(dir.join(longbox::db::FILE_NAME)).unwrap();
    for step in &STEPS[..version as usize] {
        conn.execute_batch(step).unwrap();
    }
    conn.pragma_update(None, "user_version", version).unwrap();
    let at_least = |v: u32, sql: &str| {
        if version >= v {
            conn.execute_batch(sql).unwrap();
        }
    };
    at_least(
        1,
        r#"INSERT INTO files (path, name, folder, sort_key, size, mtime_ns, first_seen, processed, duplicate)
           VALUES ('Saga/Saga 001.cbz', 'Saga 001.cbz', 'Saga', 'saga/saga 001.cbz', 100, 5000000000, 1.5, 1, 0),
                  ('Batman/Batman 002.cbz', 'Batman 002.cbz', 'Batman', 'batman/batman 002.cbz', 200, 6000000000, 2.5, 0, 1);
           INSERT INTO settings (key, value) VALUES ('watcher_enabled', 'false'),
               ('processing', '{"filename_template":"{series} #{issue}","issue_padding":3,"watcher_enabled":false,"parallelism":2}');
           INSERT INTO history (at, job_id, action, old_path, new_path, outcome, error, tags_json)
           VALUES (2.0, 'j1', 'process', 'Saga/a.cbz', 'Saga/Saga 001.cbz', 'success', NULL,
                   '{"Series":"Saga","Number":"1","Title":"Saga #1"}'),
                  (3.0, NULL, 'rename', 'Batman/b.cbz', 'Batman/b.cbz', 'duplicate', 'taken', NULL);"#,
    );
    at_least(
        2,
        "INSERT INTO jobs (id, action, status, created_at, finished_at, total, processed, success, errors)
         VALUES ('j1', 'process', 'completed', 1.0, 2.0, 2, 2, 1, 1),
                ('j2', 'rename', 'processing', 3.0, NULL, 2, 1, 1, 0);
         INSERT INTO job_items (job_id, idx, path, state, outcome, new_path, error)
         VALUES ('j1', 0, 'Saga/a.cbz', 'done', 'success', 'Saga/Saga 001.cbz', NULL),
                ('j1', 1, 'x.cbz', 'done', 'failed', 'x.cbz', 'broken'),
                ('j2', 0, 'Batman/Batman 002.cbz', 'done', 'skipped', 'Batman/Batman 002.cbz', NULL);
         INSERT INTO job_items (job_id, idx, path) VALUES ('j2', 1, 'Batman/b.cbz');",
    );
    at_least(
        5,
        &format!(
            "INSERT INTO temp_files (path, target, created_at)
             VALUES ('{TEMP_FILE}', '/library/Saga/Saga 001.cbz', 4.0);"
        ),
    );
    at_least(
        6,
        "UPDATE job_items SET intent_path = 'Batman/Batman 003.cbz' WHERE job_id = 'j2' AND idx = 1;",
    );
    at_least(
        7,
        "INSERT INTO changes (job_id, idx, old_path, new_path, tags_changed, old_xml, after_size, after_mtime_ns)
         VALUES ('j1', 0, 'Saga/a.cbz', 'Saga/Saga 001.cbz', 1, '<ComicInfo/>', 100, 5000000000);",
    );
    at_least(
        8,
        "INSERT INTO jobs (id, action, status, created_at, finished_at, total, processed, success, errors, undo_of)
         VALUES ('j3', 'undo', 'queued', 5.0, NULL, 1, 0, 0, 0, 'j1');
         INSERT INTO job_items (job_id, idx, path) VALUES ('j3', 0, 'Saga/Saga 001.cbz');",
    );
}

/// Asserts that everything [`old_database`] wrote at `version` reads back through the new code.
fn assert_rows_survived(db: &Db, version: u32) {
    assert_eq!(
        db.schema_version().unwrap(),
        LATEST,
        "from version {version}"
    );

    let files = db.files();
    let counts = files.counts().unwrap();
    assert_eq!(
        (counts.total, counts.processed, counts.duplicates),
        (2, 1, 1)
    );
    let saga = files.get("Saga/Saga 001.cbz").unwrap().expect("file kept");
    assert_eq!(
        (saga.row.size, saga.row.modified, saga.row.processed),
        (100, 5.0, true)
    );
    assert_eq!(saga.first_seen, 1.5);
    let found = files
        .list(&FileQuery {
            search: "atman 00".into(),
            ..FileQuery::default()
        })
        .unwrap();
    assert_eq!(
        found
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["Batman/Batman 002.cbz"],
        "files from before the search index are indexed"
    );

    let settings = db.settings();
    assert_eq!(settings.watcher_enabled().unwrap(), Some(false));
    let processing = settings.processing().unwrap().expect("settings kept");
    assert_eq!(
        (
            processing.filename_template.as_str(),
            processing.issue_padding
        ),
        ("{series} #{issue}", 3)
    );
    assert_eq!(processing.convert_cbr, None, "stored before it existed");

    let (history, total) = db.history().page(10, 0).unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        history
            .iter()
            .map(|h| (h.action, h.outcome))
            .collect::<Vec<_>>(),
        [
            (JobAction::Rename, ItemOutcome::Duplicate),
            (JobAction::Process, ItemOutcome::Success)
        ],
        "newest first"
    );
    assert_eq!(history[0].error.as_deref(), Some("taken"));
    assert_eq!(history[1].tags.as_ref().unwrap().title, "Saga #1");

    let jobs = db.jobs();
    if version < 2 {
        assert!(jobs.list().unwrap().is_empty());
        return;
    }
    let j1 = jobs.get("j1", true).unwrap().expect("job kept");
    assert_eq!(
        (j1.action, j1.status, j1.finished_at),
        (JobAction::Process, JobStatus::Completed, Some(2.0))
    );
    assert_eq!(j1.progress, JobProgress::new(2, 2, 1, 1));
    let items = j1.items.unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| (i.state, i.outcome))
            .collect::<Vec<_>>(),
        [
            (ItemState::Done, Some(ItemOutcome::Success)),
            (ItemState::Done, Some(ItemOutcome::Failed))
        ]
    );
    assert_eq!(items[1].error.as_deref(), Some("broken"));
    let j2 = jobs.get("j2", true).unwrap().unwrap();
    assert_eq!(
        (j2.action, j2.status),
        (JobAction::Rename, JobStatus::Processing)
    );
    let j2_items = j2.items.unwrap();
    assert_eq!(j2_items[0].outcome, Some(ItemOutcome::Skipped));
    assert_eq!(
        (j2_items[1].state, j2_items[1].outcome),
        (ItemState::Pending, None)
    );
    assert_eq!(
        jobs.pending_items("j2").unwrap(),
        [PendingItem {
            idx: 1,
            path: "Batman/b.cbz".into(),
            intent: (version >= 6).then(|| "Batman/Batman 003.cbz".into()),
        }]
    );

    let recorded = db.recorded();
    if version >= 5 {
        assert_eq!(recorded, [Path::new(TEMP_FILE)]);
    } else {
        assert!(recorded.is_empty());
    }

    let changes = jobs.changes("j1").unwrap();
    if version >= 7 {
        assert_eq!(
            changes,
            [Change {
                old_path: "Saga/a.cbz".into(),
                new_path: "Saga/Saga 001.cbz".into(),
                tags_changed: true,
                old_xml: Some("<ComicInfo/>".into()),
                after: Some((100, 5_000_000_000)),
            }]
        );
    } else {
        assert!(changes.is_empty());
    }

    let mut unfinished = vec!["j2"];
    if version >= 8 {
        let j3 = jobs.get("j3", false).unwrap().unwrap();
        assert_eq!(
            (j3.action, j3.status, j3.undo_of.as_deref()),
            (JobAction::Undo, JobStatus::Queued, Some("j1"))
        );
        assert_eq!(jobs.undone_by("j1").unwrap().as_deref(), Some("j3"));
        unfinished.push("j3");
    } else {
        assert_eq!(jobs.undone_by("j1").unwrap(), None);
        assert_eq!(j1.undo_of, None);
    }
    assert_eq!(jobs.unfinished().unwrap(), unfinished, "oldest first");
}

#[test]
fn a_database_at_every_earlier_version_upgrades_without_losing_rows() {
    for version in 1..=LATEST {
        let dir = tempfile::tempdir().unwrap();
        old_database(dir.path(), version);
        let db = Db::open(dir.path()).unwrap();
        assert_rows_survived(&db, version);
        drop(db);
        // Opening again changes nothing.
        assert_rows_survived(&Db::open(dir.path()).unwrap(), version);
    }
}

#[test]
fn an_upgraded_database_takes_new_rows_like_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    old_database(dir.path(), 1);
    let db = Db::open(dir.path()).unwrap();
    let jobs = db.jobs();
    jobs.create(
        "j9",
        JobAction::Normalize,
        &["Saga/Saga 001.cbz".into()],
        9.0,
        Some("j1"),
    )
    .unwrap();
    let job = jobs.get("j9", true).unwrap().unwrap();
    assert_eq!(
        (job.status, job.undo_of.as_deref()),
        (JobStatus::Queued, Some("j1"))
    );
    assert_eq!(job.items.unwrap()[0].state, ItemState::Pending);
    jobs.record_intent("j9", 0, "Saga/Saga #1.cbz").unwrap();
    assert_eq!(
        jobs.pending_items("j9").unwrap()[0].intent.as_deref(),
        Some("Saga/Saga #1.cbz")
    );
}
