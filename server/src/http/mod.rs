//! The HTTP layer: one module per resource, all wired in [`router`].

mod cache;
pub mod error;
pub mod events;
mod files;
mod health;
mod jobs;
mod metrics;
mod settings;
pub(crate) mod stream;
mod watcher;

use crate::AppState;
use axum::routing::{any, get, post, put};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// The API routes alone (what tests and benchmarks usually need). A request body that has not
/// arrived within the configured body timeout fails that request (408).
pub fn api_router(state: AppState) -> Router {
    let body_timeout = state.config.body_timeout;
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/events/stream", get(events::stream))
        .route("/api/events/stats", get(events::stats))
        .route("/api/events/status", get(events::status))
        .route("/api/events/broadcast", post(events::broadcast))
        .route("/api/files", get(files::list))
        .route("/api/files/{*path}", get(files::details))
        .route("/api/cache/stats", get(cache::stats))
        .route("/api/cache/rebuild", post(cache::rebuild))
        .route("/api/watcher/status", get(watcher::status))
        .route("/api/watcher", post(watcher::toggle))
        .route("/api/jobs", post(jobs::create).get(jobs::list))
        .route("/api/jobs/{id}", get(jobs::get).delete(jobs::delete))
        .route("/api/jobs/{id}/cancel", post(jobs::cancel))
        .route("/api/jobs/{id}/undo", post(jobs::undo))
        .route(
            "/api/settings",
            get(settings::get).merge(put(settings::put)),
        )
        .route("/api/history", get(settings::history))
        .route("/metrics", get(metrics::metrics))
        .route("/api/{*rest}", any(error::api_not_found))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_timeout,
        ))
        .with_state(state)
}

/// The whole site: the API plus the server-rendered, hydrated pages and static files.
pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let routes = generate_route_list(app::App);
    let site = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(options);
    api_router(state).merge(site)
}
