//! `/api/watcher`: the watcher's state and its on/off switch for automatic processing.

use crate::http::error::{blocking, ApiError};
use crate::state::AppState;
use app::api::WatcherToggle;
use app::events::WatcherStatus;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;

/// `GET /api/watcher/status`.
pub(crate) async fn status(State(state): State<AppState>) -> Json<WatcherStatus> {
    Json(state.library.watcher_status())
}

/// `POST /api/watcher` with `{"enabled": bool}`; persists and publishes `watcher_status`.
pub(crate) async fn toggle(
    State(state): State<AppState>,
    body: Result<Json<WatcherToggle>, JsonRejection>,
) -> Result<Json<WatcherStatus>, ApiError> {
    let Json(toggle) = body?;
    let library = state.library.clone();
    let status = blocking(move || library.set_enabled(toggle.enabled)).await?;
    Ok(Json(status))
}
