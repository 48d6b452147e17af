//! `/api/settings` and `/api/history`.

use crate::comic::naming;
use crate::http::error::{blocking, ApiError};
use crate::state::AppState;
use app::api::{HistoryPage, Settings};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

/// `GET /api/settings`.
pub(crate) async fn get(State(state): State<AppState>) -> Json<Settings> {
    Json(state.jobs.settings())
}

/// `PUT /api/settings`: validated (unknown placeholder → 400), persisted, applied.
pub(crate) async fn put(
    State(state): State<AppState>,
    body: Result<Json<Settings>, JsonRejection>,
) -> Result<Json<Settings>, ApiError> {
    let Json(settings) = body?;
    naming::validate_template(&settings.filename_template)
        .map_err(|e| ApiError::BadRequest(format!("filename_template: {e}")))?;
    if settings.issue_padding > 8 {
        return Err(ApiError::BadRequest("issue_padding must be 0–8".into()));
    }
    if !(1..=64).contains(&settings.parallelism) {
        return Err(ApiError::BadRequest("parallelism must be 1–64".into()));
    }
    if let Some(trash) = settings.cbr_trash.as_deref().filter(|t| !t.is_empty()) {
        let path = std::path::Path::new(trash);
        if !path.is_absolute() || path.starts_with(state.library.root()) {
            return Err(ApiError::BadRequest(
                "cbr_trash must be an absolute folder outside the library".into(),
            ));
        }
    }
    let jobs = state.jobs.clone();
    let saved = blocking(move || jobs.set_settings(settings)).await?;
    Ok(Json(saved))
}

/// Query of `GET /api/history`.
#[derive(Debug, Deserialize)]
pub(crate) struct HistoryQuery {
    /// Rows, 1–500 (default 50).
    limit: Option<u32>,
    /// Rows to skip.
    offset: Option<u32>,
}

/// `GET /api/history?limit=&offset=`: newest first.
pub(crate) async fn history(
    State(state): State<AppState>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<HistoryPage>, ApiError> {
    let Query(q) = query?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be 1–500".into()));
    }
    let store = state.library.store().clone();
    let (items, total) =
        blocking(move || store.history().page(limit, q.offset.unwrap_or(0))).await?;
    Ok(Json(HistoryPage { items, total }))
}
