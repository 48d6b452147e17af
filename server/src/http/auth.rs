//! `/api/auth/*`: first-run setup, sign-in, sign-out and "who am I".

use crate::auth::{
    AccountError, Identity, NewSession, SESSION_COOKIE, SESSION_COOKIE_MAX_AGE_SECS,
};
use crate::http::error::ApiError;
use crate::state::AppState;
use app::api::auth::{Credentials, Me};
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::net::SocketAddr;

/// The `Set-Cookie` value for a new session (`Secure` when the client came over HTTPS).
fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; \
         Max-Age={SESSION_COOKIE_MAX_AGE_SECS}{secure}"
    ))
    .expect("a cookie of hex digits")
}

/// The `Set-Cookie` value that removes the session cookie.
fn cleared_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}"
    ))
    .expect("a fixed cookie")
}

/// A signed-in answer: the account, and the cookie.
fn signed_in(status: StatusCode, session: NewSession, secure: bool) -> Response {
    let mut response = (status, Json(session.user)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&session.token, secure));
    response
}

fn user_agent(head: &Parts) -> Option<String> {
    head.headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(256).collect())
}

/// `POST /api/auth/setup`: creates the first admin (201) and signs it in; 409 afterwards.
pub(crate) async fn setup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    head: Parts,
    body: Result<Json<Credentials>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(credentials) = body?;
    let client = state.gate.client(&head, peer);
    let session = state
        .gate
        .accounts()
        .setup(credentials, user_agent(&head))
        .await?;
    tracing::info!(user = %session.user.username, "first admin created");
    Ok(signed_in(StatusCode::CREATED, session, client.https))
}

/// `POST /api/auth/login`: signs in; the same 401 for a wrong name and a wrong password, 429
/// after too many failures from one address.
pub(crate) async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    head: Parts,
    body: Result<Json<Credentials>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(credentials) = body?;
    let client = state.gate.client(&head, peer);
    let session = state
        .gate
        .accounts()
        .login(credentials, client.addr.ip(), user_agent(&head))
        .await
        .inspect_err(|e| {
            if matches!(
                e,
                AccountError::WrongCredentials | AccountError::Throttled(_)
            ) {
                tracing::info!(client = %client.addr.ip(), "login refused: {e}");
            }
        })?;
    Ok(signed_in(StatusCode::OK, session, client.https))
}

/// `POST /api/auth/logout`: ends this session (its streams get `session_expired`) and clears
/// the cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(identity): Extension<Identity>,
    head: Parts,
) -> Result<Response, ApiError> {
    if let Identity::Session { session, .. } = identity {
        state.gate.accounts().end_sessions(vec![session]).await?;
    }
    let secure = state.gate.client(&head, peer).https;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cleared_cookie(secure));
    Ok(response)
}

/// `GET /api/auth/me`.
pub(crate) async fn me(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
) -> Json<Me> {
    Json(who(&state, &identity))
}

/// Who `identity` is: what `GET /api/auth/me` answers, and what the pages render their account
/// line and `<body data-role>` from.
pub(crate) fn who(state: &AppState, identity: &Identity) -> Me {
    let accounts = state.gate.accounts();
    let user = match identity {
        Identity::Session { user, .. } => accounts.user(*user),
        _ => None,
    };
    Me {
        setup_needed: !state.gate.no_auth() && accounts.setup_needed(),
        no_auth: state.gate.no_auth(),
        role: identity.role(),
        user,
    }
}
