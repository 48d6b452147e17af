//! The one error type of the HTTP layer, mapped to `{"error": "..."}` with a fitting status.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An API failure. Internal details are logged, never sent to clients.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or names something invalid.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid credentials (or a wrong user name or password).
    #[error("{0}")]
    Unauthorized(String),
    /// 404: the thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// 408: the request body did not arrive within the body timeout.
    #[error("{0}")]
    RequestTimeout(String),
    /// 413: the body is larger than the endpoint accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 422: the request is well-formed but names something that cannot be used (an archive over
    /// a limit, an unknown job).
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many attempts; retry after that many seconds.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// 500: something broke on the server; the client sees a generic message.
    #[error("internal server error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        let body = app::api::ApiError {
            error: self.to_string(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::TooManyRequests(_, seconds) = self {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        if timed_out(&e) {
            return ApiError::RequestTimeout("the request body did not arrive in time".into());
        }
        ApiError::BadRequest(e.body_text())
    }
}

/// Whether a body failed because the body timeout layer cut it off.
pub(crate) fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

impl From<crate::auth::AccountError> for ApiError {
    fn from(e: crate::auth::AccountError) -> Self {
        use crate::auth::AccountError as E;
        match e {
            E::Invalid(m) => ApiError::BadRequest(m),
            E::WrongCredentials => ApiError::Unauthorized(e.to_string()),
            E::NotFound(m) => ApiError::NotFound(m),
            E::Conflict(m) => ApiError::Conflict(m),
            E::Throttled(seconds) => ApiError::TooManyRequests(e.to_string(), seconds),
            E::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<crate::stream::QueryError> for ApiError {
    fn from(e: crate::stream::QueryError) -> Self {
        ApiError::BadRequest(e.0)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::BadRequest(e.body_text())
    }
}

/// Runs blocking store or disk work off the async threads; a panic there is a 500.
pub(crate) async fn blocking<T, E>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(anyhow::Error::from)?
        .map_err(Into::into)
}

/// `/api/...` paths that match no route.
pub(crate) async fn api_not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint".into())
}
