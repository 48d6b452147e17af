//! `GET /api/health`.

use app::api::Health;
use axum::Json;

/// Answers while the server runs.
pub(crate) async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
