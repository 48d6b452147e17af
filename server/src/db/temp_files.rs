//! The temp_files table, the [`TempLedger`] of [`Db`]: every temp file an archive rewrite
//! creates is recorded here first and forgotten once renamed into place or removed.

use super::Db;
use crate::comic::archive::TempLedger;
use std::path::{Path, PathBuf};

impl TempLedger for Db {
    fn record(&self, temp: &Path, target: &Path) -> Result<(), String> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO temp_files (path, target, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    temp.to_string_lossy(),
                    target.to_string_lossy(),
                    crate::hub::unix_now()
                ],
            )
            .map(|_| ())
            .map_err(|e| format!("cannot record temp file: {e}"))
    }

    fn release(&self, temp: &Path) {
        if let Err(e) = self.conn().execute(
            "DELETE FROM temp_files WHERE path = ?1",
            [temp.to_string_lossy()],
        ) {
            tracing::error!("cannot forget temp file {}: {e}", temp.display());
        }
    }

    fn recorded(&self) -> Vec<PathBuf> {
        let conn = self.conn();
        let Ok(mut stmt) = conn.prepare("SELECT path FROM temp_files") else {
            return Vec::new();
        };
        stmt.query_map([], |r| r.get::<_, String>(0))
            .map(|rows| rows.filter_map(Result::ok).map(PathBuf::from).collect())
            .unwrap_or_default()
    }
}
