//! `/api/cache`: statistics of the file list and on-demand rescans.

use crate::http::error::{blocking, ApiError};
use crate::state::AppState;
use app::api::{Accepted, CacheStats};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// `GET /api/cache/stats`.
pub(crate) async fn stats(State(state): State<AppState>) -> Result<Json<CacheStats>, ApiError> {
    let library = state.library.clone();
    let counts = blocking(move || library.store().files().counts()).await?;
    let last = state.library.last_scan();
    Ok(Json(CacheStats {
        total_files: counts.total,
        processed: counts.processed,
        unprocessed: counts.total - counts.processed,
        duplicates: counts.duplicates,
        last_scan_at: last.map(|s| s.at),
        last_scan_ms: last.map(|s| s.millis),
        scanning: state.library.is_scanning(),
        watcher: state.library.watcher_status(),
    }))
}

/// `POST /api/cache/rebuild`: 202 now; progress arrives as `cache_updated` events.
pub(crate) async fn rebuild(State(state): State<AppState>) -> (StatusCode, Json<Accepted>) {
    let library = state.library.clone();
    tokio::spawn(async move {
        if let Err(e) = library.scan().await {
            tracing::error!("rescan failed: {e:#}");
        }
    });
    (
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "rescan started".into(),
        }),
    )
}
