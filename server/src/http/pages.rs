//! The pages: rendered on the server from what the browser would otherwise fetch first (the
//! page of the file list the URL asks for, the watcher, the jobs), which goes into the page for
//! hydration to start from ([`PageState`]), and who is asking ([`app::api::auth::Me`]), for the
//! account line.

use crate::auth::Identity;
use crate::http::error::blocking;
use crate::state::AppState;
use app::api::page::{JobSummary, PageState};
use app::api::FileQuery;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::generate_route_list;

/// What the page handlers need.
#[derive(Clone)]
pub(crate) struct Site {
    /// The server's state.
    app: AppState,
    /// The Leptos site options.
    options: LeptosOptions,
}

impl FromRef<Site> for LeptosOptions {
    fn from_ref(site: &Site) -> Self {
        site.options.clone()
    }
}

/// Every page route, and static files (with Leptos's not-found page) for the rest.
pub(crate) fn router(app: AppState, options: LeptosOptions) -> Router {
    let mut router = Router::new();
    for route in generate_route_list(app::App) {
        router = router.route(route.path(), get(render));
    }
    router
        .fallback(leptos_axum::file_and_error_handler::<Site, _>(app::shell))
        .with_state(Site { app, options })
}

/// Renders the page `req` asks for from the state read now.
async fn render(State(site): State<Site>, req: Request<Body>) -> Response {
    let page = page_state(&site.app, req.uri().clone()).await;
    // Admission put the request's identity there; a page it let through without one (the
    // sign-in and first-run pages) is nobody's.
    let me = super::auth::who(
        &site.app,
        req.extensions()
            .get::<Identity>()
            .unwrap_or(&Identity::Anonymous),
    );
    let options = site.options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(page.clone());
            provide_context(me.clone());
        },
        move || app::shell(options.clone()),
    );
    handler(req).await
}

/// What the page at `uri` is rendered from. The event id is read first: whatever the
/// reads after it see, the live connection replays from there, so nothing falls in between.
/// A read that fails leaves its part empty, for the browser to fetch as it would without it.
async fn page_state(state: &AppState, uri: Uri) -> PageState {
    let event_id = state.hub.history_bounds().map(|(_, newest)| newest);
    let watcher = Some(state.library.watcher_status());
    let library_page = uri.path() == "/";
    let query: Option<FileQuery> = library_page.then(|| {
        axum::extract::Query::<FileQuery>::try_from_uri(&uri)
            .map(|q| q.0)
            .unwrap_or_default()
    });
    let store = state.library.store().clone();
    let read = blocking(move || {
        let jobs = store.jobs().list()?;
        let files = match query {
            Some(q) if (1..=super::files::MAX_PER_PAGE).contains(&q.per_page) && q.page >= 1 => {
                Some(store.files().list(&q)?)
            }
            _ => None,
        };
        Ok::<_, crate::http::error::ApiError>((jobs, files))
    })
    .await;
    let (jobs, files) = read.unwrap_or_default();
    PageState {
        event_id,
        watcher,
        jobs: jobs
            .into_iter()
            .map(|j| JobSummary {
                job_id: j.job_id,
                action: j.action,
                status: j.status,
                progress: j.progress,
            })
            .collect(),
        files,
    }
}
