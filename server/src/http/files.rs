//! `/api/files`: the paged file list and one file's details.

use crate::comic::archive;
use crate::http::error::{blocking, ApiError};
use crate::paths::RelPath;
use crate::state::AppState;
use app::api::{FileDetails, FilePage, FileQuery};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;

/// Most rows a page may have.
pub const MAX_PER_PAGE: u32 = 500;

/// `GET /api/files?page=&per_page=&search=&filter=&sort=&direction=`.
pub(crate) async fn list(
    State(state): State<AppState>,
    query: Result<Query<FileQuery>, QueryRejection>,
) -> Result<Json<FilePage>, ApiError> {
    let Query(query) = query?;
    if !(1..=MAX_PER_PAGE).contains(&query.per_page) {
        return Err(ApiError::BadRequest(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    if query.page == 0 {
        return Err(ApiError::BadRequest("page starts at 1".into()));
    }
    let store = state.library.store().clone();
    let page = blocking(move || store.files().list(&query)).await?;
    Ok(Json(page))
}

/// Checks a client path: 400 if it could escape the library.
pub(crate) fn client_path(state: &AppState, raw: &str) -> Result<RelPath, ApiError> {
    let rel = RelPath::parse(raw).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    rel.resolve(state.library.root())
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(rel)
}

/// `GET /api/files/{path}`: the listed facts plus ComicInfo.xml fields for a `.cbz`.
pub(crate) async fn details(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<FileDetails>, ApiError> {
    let rel = client_path(&state, &raw)?;
    let library = state.library.clone();
    let details = blocking(move || {
        let stored = library
            .store()
            .files()
            .get(rel.as_str())?
            .ok_or_else(|| ApiError::NotFound(format!("no file {rel} in the library")))?;
        // An archive over a limit (or broken) is named as such, not shown as empty.
        let lower = rel.name().to_ascii_lowercase();
        let disk = rel.on_disk(library.root());
        let summary = if lower.ends_with(".cbz") {
            Some(archive::summarize(&disk))
        } else if lower.ends_with(".cbr") {
            Some(crate::comic::rar::summarize(&disk))
        } else {
            None
        };
        let summary = summary
            .transpose()
            .map_err(|e| ApiError::Unprocessable(format!("{rel}: {e}")))?;
        Ok::<_, ApiError>(FileDetails {
            file: stored.row,
            first_seen: stored.first_seen,
            page_count: summary.as_ref().map(|s| s.page_count),
            comic_info: summary.and_then(|s| s.comic_info),
        })
    })
    .await?;
    Ok(Json(details))
}
