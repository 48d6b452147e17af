//! The HTTP layer: one module per resource, all wired in [`router`].

mod auth;
mod cache;
mod covers;
pub mod error;
pub mod events;
mod files;
mod health;
mod jobs;
mod metrics;
mod pages;
mod settings;
mod users;
mod watcher;

use crate::state::AppState;
use app::api::paths;
use axum::routing::{any, delete, get, patch, post, put};
use axum::Router;
use leptos::config::LeptosOptions;

/// The API routes alone (what tests and benchmarks usually need). A request body that has not
/// arrived within the configured body timeout fails that request (408).
pub fn api_router(state: AppState) -> Router {
    let body_timeout = state.config.body_timeout;
    Router::new()
        .route(paths::HEALTH, get(health::health))
        .route(paths::EVENTS_STREAM, get(events::stream))
        .route(paths::EVENTS_STATS, get(events::stats))
        .route(paths::EVENTS_STATUS, get(events::status))
        .route(paths::EVENTS_BROADCAST, post(events::broadcast))
        .route(paths::FILES, get(files::list))
        .route(paths::FILE, get(files::details))
        .route(paths::COVER, get(covers::cover))
        .route(paths::CACHE_STATS, get(cache::stats))
        .route(paths::CACHE_REBUILD, post(cache::rebuild))
        .route(paths::WATCHER_STATUS, get(watcher::status))
        .route(paths::WATCHER, post(watcher::toggle))
        .route(paths::JOBS, post(jobs::create).get(jobs::list))
        .route(paths::JOB, get(jobs::get).delete(jobs::delete))
        .route(paths::JOB_CANCEL, post(jobs::cancel))
        .route(paths::JOB_UNDO, post(jobs::undo))
        .route(
            paths::SETTINGS,
            get(settings::get).merge(put(settings::put)),
        )
        .route(paths::HISTORY, get(settings::history))
        .route(paths::AUTH_SETUP, post(auth::setup))
        .route(paths::AUTH_LOGIN, post(auth::login))
        .route(paths::AUTH_LOGOUT, post(auth::logout))
        .route(paths::AUTH_ME, get(auth::me))
        .route(paths::USERS, get(users::list).post(users::create))
        .route(paths::USER, patch(users::update).delete(users::delete))
        .route(paths::API_KEYS, get(users::keys).post(users::create_key))
        .route(paths::API_KEY, delete(users::revoke_key))
        .route(paths::SESSIONS, get(users::sessions))
        .route(paths::SESSION, delete(users::end_session))
        .route(paths::METRICS, get(metrics::metrics))
        .route(paths::API_ANY, any(error::api_not_found))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_timeout,
        ))
        .with_state(state)
}

/// The whole site: the API plus the server-rendered, hydrated pages and static files.
pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let site = pages::router(state.clone(), options);
    api_router(state).merge(site).layer(crate::trace::layer())
}
