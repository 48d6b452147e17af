//! What jobs keep in the database beyond its own methods: the processing settings with their
//! defaults, and the job lookup handlers outside `http::jobs` reach through here.

use crate::db::Db;
use app::api::{JobView, Settings};

/// One job, with its items when asked (the same as `db.jobs().get(..)`).
pub(crate) fn get(db: &Db, id: &str, with_items: bool) -> anyhow::Result<Option<JobView>> {
    db.jobs().get(id, with_items)
}

/// The stored processing settings, or the defaults.
pub(crate) fn settings(db: &Db, watcher_enabled: bool) -> anyhow::Result<Settings> {
    let mut s = db.settings().processing()?.unwrap_or_else(default_settings);
    s.watcher_enabled = watcher_enabled;
    // Settings stored before these existed.
    s.convert_cbr.get_or_insert(false);
    s.cbr_trash.get_or_insert_with(String::new);
    Ok(s)
}

/// Template `{series} - Chapter {issue}`, padding 4, watcher on, one worker per core.
fn default_settings() -> Settings {
    Settings {
        filename_template: crate::comic::naming::DEFAULT_TEMPLATE.into(),
        issue_padding: 4,
        watcher_enabled: true,
        parallelism: std::thread::available_parallelism()
            .map(|n| n.get().min(64) as u8)
            .unwrap_or(2),
        convert_cbr: Some(false),
        cbr_trash: Some(String::new()),
    }
}
