//! The settings table: one row per setting, its value as text (JSON where it is a structure).

use super::Db;
use app::api::Settings;
use rusqlite::{params, OptionalExtension};

/// Key of the watcher's `enabled` flag (`"true"` or `"false"`).
const WATCHER_ENABLED: &str = "watcher_enabled";

/// Key of the processing settings (JSON of [`Settings`]).
const PROCESSING: &str = "processing";

/// The settings table, borrowed from [`Db::settings`].
pub struct SettingsTable<'a> {
    /// The database.
    db: &'a Db,
}

impl Db {
    /// The stored settings.
    pub fn settings(&self) -> SettingsTable<'_> {
        SettingsTable { db: self }
    }
}

impl SettingsTable<'_> {
    /// Whether new comics are processed automatically, if ever set.
    pub fn watcher_enabled(&self) -> anyhow::Result<Option<bool>> {
        Ok(self.get(WATCHER_ENABLED)?.map(|v| v == "true"))
    }

    /// Stores whether new comics are processed automatically.
    pub fn set_watcher_enabled(&self, enabled: bool) -> anyhow::Result<()> {
        self.set(WATCHER_ENABLED, if enabled { "true" } else { "false" })
    }

    /// The processing settings as last stored (`None`: never stored, or unreadable), with the
    /// fields that were absent when they were stored left `None`.
    pub fn processing(&self) -> anyhow::Result<Option<Settings>> {
        Ok(self
            .get(PROCESSING)?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Stores the processing settings.
    pub fn set_processing(&self, settings: &Settings) -> anyhow::Result<()> {
        self.set(PROCESSING, &serde_json::to_string(settings)?)
    }

    /// A setting's text.
    fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .db
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a setting's text.
    fn set(&self, key: &str, value: &str) -> anyhow::Result<()> {
        self.db.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}
