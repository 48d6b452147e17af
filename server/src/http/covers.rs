//! `/api/covers/{path}`: a file's cover thumbnail (JPEG), made on request if the background
//! generator has not got to it yet.
//!
//! The `ETag` is the thumbnail's content hash. Asked for at the URL the file list gives
//! (`?v=<that hash>`), the answer may be cached for a year without asking again: a changed
//! file gets a new hash and so a new URL. Without `v`, or with an old one, the answer must be
//! revalidated (`no-cache`), and a matching `If-None-Match` gets a 304. `private`: covers are
//! for signed-in accounts, so a shared cache must not keep them for others.

use crate::covers::CoverError;
use crate::http::error::ApiError;
use crate::http::files::client_path;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `Cache-Control` of a thumbnail asked for by its content hash.
pub const IMMUTABLE: &str = "private, max-age=31536000, immutable";

/// `Cache-Control` of a thumbnail asked for without its (current) hash.
pub const REVALIDATE: &str = "private, no-cache";

/// The query: the content hash the client expects.
#[derive(serde::Deserialize)]
pub(crate) struct Version {
    v: Option<String>,
}

impl From<CoverError> for ApiError {
    fn from(e: CoverError) -> Self {
        match e {
            CoverError::NotListed(m) => ApiError::NotFound(m),
            CoverError::Unmakeable(m) => ApiError::Unprocessable(m),
            CoverError::Internal(e) => ApiError::Internal(e),
        }
    }
}

/// Whether an `If-None-Match` header names `etag` (or is `*`); weak validators count.
fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// `GET /api/covers/{path}[?v=<key>]`.
pub(crate) async fn cover(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    version: Result<Query<Version>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(version) = version?;
    let rel = client_path(&state, &raw)?;
    let thumb = state.covers.thumbnail(&rel).await?;
    let etag = format!("\"{}\"", thumb.key);
    let cache = if version.v.as_deref() == Some(thumb.key.as_str()) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches(v, &etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "image/jpeg")], thumb.jpeg).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(matches("\"k1\"", "\"k1\""));
        assert!(matches("\"k0\", W/\"k1\"", "\"k1\""));
        assert!(matches("*", "\"k1\""));
        assert!(!matches("\"k2\"", "\"k1\""));
    }
}
