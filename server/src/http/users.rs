//! `/api/users`, `/api/keys` and `/api/sessions`: accounts, API keys and signed-in sessions.
//! Admission already limited users and keys to admins; sessions are anyone's own.

use crate::auth::{AccountError, Identity};
use crate::http::error::ApiError;
use crate::state::AppState;
use app::api::auth::{
    ApiKeyView, CreatedApiKey, NewApiKey, NewUser, Role, SessionView, UserUpdate, UserView,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

/// `GET /api/users`.
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(state.gate.accounts().users().await?))
}

/// `POST /api/users` (201).
pub(crate) async fn create(
    State(state): State<AppState>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let Json(new) = body?;
    let user = state.gate.accounts().create_user(new).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `PATCH /api/users/{id}`: a new role and/or password (which ends the account's sessions).
pub(crate) async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<Json<UserUpdate>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(update) = body?;
    let accounts = state.gate.accounts();
    // Everything is checked before anything changes.
    if let Some(password) = &update.password {
        crate::auth::password::check_new(password)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    }
    if let Some(role) = update.role {
        accounts.set_role(id, role).await?;
    }
    if let Some(password) = update.password {
        accounts.set_password(id, password).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/users/{id}`: the account and its sessions.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.gate.accounts().delete_user(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/keys`.
pub(crate) async fn keys(State(state): State<AppState>) -> Json<Vec<ApiKeyView>> {
    Json(state.gate.accounts().keys())
}

/// `POST /api/keys` (201): the key is in this answer only.
pub(crate) async fn create_key(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    body: Result<Json<NewApiKey>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let Json(new) = body?;
    let created_by = match identity {
        Identity::Session { user, .. } => Some(user),
        _ => None,
    };
    let created = state
        .gate
        .accounts()
        .create_key(new.name, new.role, created_by)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/keys/{id}`: revokes the key; its streams end.
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.gate.accounts().revoke_key(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/sessions`: an admin sees every session, anyone else their own.
pub(crate) async fn sessions(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
) -> Json<Vec<SessionView>> {
    let (of_user, current) = match &identity {
        Identity::Session {
            user,
            session,
            role,
            ..
        } => ((*role != Role::Admin).then_some(*user), Some(*session)),
        Identity::Key { role, .. } if *role == Role::Admin => (None, None),
        Identity::Local => (None, None),
        _ => return Json(Vec::new()),
    };
    Json(state.gate.accounts().sessions(of_user, current))
}

/// `DELETE /api/sessions/{id}`: ends a session (its streams get `session_expired`); anyone's
/// for an admin, one's own otherwise.
pub(crate) async fn end_session(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(identity): Extension<Identity>,
) -> Result<StatusCode, ApiError> {
    let accounts = state.gate.accounts();
    let owner = accounts.session_owner(id);
    let allowed = match &identity {
        _ if identity.role() == Some(Role::Admin) => true,
        Identity::Session { user, .. } => owner == Some(*user),
        _ => false,
    };
    if owner.is_none() || !allowed {
        return Err(AccountError::NotFound(format!("no session {id}")).into());
    }
    accounts.end_sessions(vec![id]).await?;
    Ok(StatusCode::NO_CONTENT)
}
