//! `/api/jobs`: create (or preview), list, inspect, cancel, undo and delete batch jobs.

use crate::http::error::{blocking, ApiError};
use crate::http::files::client_path;
use crate::paths::RelPath;
use crate::state::AppState;
use app::api::{JobAction, JobCreated, JobFiles, JobPreview, JobRequest, JobView};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

fn job_id(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::BadRequest(format!("job id {raw:?} is not a UUID")))
}

/// `POST /api/jobs` → 202 `{"job_id", "total_items"}`; with `"dry_run": true` → 200 with what
/// the job would do to each file ([`JobPreview`]), touching nothing.
pub(crate) async fn create(
    State(state): State<AppState>,
    body: Result<Json<JobRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let action = JobAction::parse(&req.action)
        .filter(|a| *a != JobAction::Undo)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown action {:?}; use process, rename or normalize \
                 (undo a job with POST /api/jobs/{{id}}/undo)",
                req.action
            ))
        })?;
    let store = state.library.store().clone();
    let paths = match req.files {
        JobFiles::Named(name) if name == "all" || name == "unprocessed" => {
            blocking(move || store.files().all_paths(name == "unprocessed")).await?
        }
        JobFiles::Named(other) => {
            return Err(ApiError::BadRequest(format!(
                "files must be a list of paths, \"all\" or \"unprocessed\", not {other:?}"
            )))
        }
        JobFiles::List(list) => {
            let mut checked = Vec::with_capacity(list.len());
            for raw in &list {
                checked.push(client_path(&state, raw)?.to_string());
            }
            blocking(move || {
                for p in &checked {
                    if store.files().get(p)?.is_none() {
                        return Err(ApiError::BadRequest(format!("no file {p} in the library")));
                    }
                }
                Ok(checked)
            })
            .await?
        }
    };
    if paths.is_empty() {
        return Err(ApiError::BadRequest("the selection is empty".into()));
    }
    let jobs = state.jobs.clone();
    if req.dry_run {
        let preview = blocking(move || {
            let rels = paths
                .iter()
                .filter_map(|p| RelPath::parse(p).ok())
                .collect::<Vec<_>>();
            Ok::<_, ApiError>(jobs.preview(action, &rels))
        })
        .await?;
        return Ok(Json::<JobPreview>(preview).into_response());
    }
    let (job_id, total_items) = blocking(move || jobs.create(action, paths)).await?;
    Ok(accepted(job_id, total_items))
}

fn accepted(job_id: String, total_items: u64) -> Response {
    let body = JobCreated {
        job_id,
        total_items,
    };
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// `POST /api/jobs/{id}/undo` → 202: a job that puts back every name and ComicInfo.xml the
/// finished job changed (409 while it runs, or when it changed nothing).
pub(crate) async fn undo(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let id = job_id(&raw)?;
    let (store, jobs) = (state.library.store().clone(), state.jobs.clone());
    let created = blocking(move || {
        let job = store
            .jobs()
            .get(&id, false)?
            .ok_or_else(|| ApiError::NotFound(format!("no job {id}")))?;
        if !job.status.is_finished() {
            return Err(ApiError::Conflict(format!(
                "job {id} is {}; undo it once it has finished",
                job.status.as_str()
            )));
        }
        if let Some(undo) = store.jobs().undone_by(&id)? {
            return Err(ApiError::Conflict(format!(
                "job {id} was already undone by job {undo}"
            )));
        }
        jobs.create_undo(&id)?
            .ok_or_else(|| ApiError::Conflict(format!("job {id} changed no file; nothing to undo")))
    })
    .await?;
    Ok(accepted(created.0, created.1))
}

/// `GET /api/jobs`: every job, newest first, without items.
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<Vec<JobView>>, ApiError> {
    let store = state.library.store().clone();
    Ok(Json(blocking(move || store.jobs().list()).await?))
}

/// `GET /api/jobs/{id}`: status, progress and per-item results.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let id = job_id(&raw)?;
    let store = state.library.store().clone();
    blocking(move || {
        store
            .jobs()
            .get(&id, true)?
            .map(Json)
            .ok_or_else(|| ApiError::NotFound(format!("no job {id}")))
    })
    .await
}

/// `POST /api/jobs/{id}/cancel`: 202; items not started are never touched.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let id = job_id(&raw)?;
    let store = state.library.store().clone();
    let lookup = id.clone();
    let job = blocking(move || {
        store
            .jobs()
            .get(&lookup, false)?
            .ok_or_else(|| ApiError::NotFound(format!("no job {lookup}")))
    })
    .await?;
    if job.status.is_finished() || !state.jobs.cancel(&id) {
        return Err(ApiError::Conflict(format!(
            "job {id} is already {}",
            job.status.as_str()
        )));
    }
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// `DELETE /api/jobs/{id}`: finished jobs only (409 otherwise).
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = job_id(&raw)?;
    let store = state.library.store().clone();
    let target = id.clone();
    blocking(move || {
        let job = store
            .jobs()
            .get(&target, false)?
            .ok_or_else(|| ApiError::NotFound(format!("no job {target}")))?;
        if !job.status.is_finished() {
            return Err(ApiError::Conflict(format!(
                "job {target} is {}; cancel it first",
                job.status.as_str()
            )));
        }
        store.jobs().delete(&target)?;
        Ok(())
    })
    .await?;
    state.hub.forget_job(&id);
    Ok(StatusCode::NO_CONTENT)
}
