//! The one island of the account pages: `/login`, `/setup` and `/users`. One lazy island rather
//! than three: each island costs the main bundle its loader. (Who is signed in is the server's
//! to render: `components::account_line`.)

use leptos::either::EitherOf3;
use leptos::prelude::*;

/// The path of the page, read from the router on the server and from the address bar in the
/// browser, so both render the same part.
fn page_path() -> String {
    #[cfg(feature = "hydrate")]
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    path.trim_end_matches('/').to_string()
}

/// The page chosen by its path: the sign-in or first-run form, or the Users page (a lazy
/// island).
#[island(lazy)]
pub fn Accounts() -> impl IntoView {
    crate::ready::island_ready();
    match page_path().as_str() {
        "/login" => EitherOf3::A(super::login::page()),
        "/setup" => EitherOf3::B(super::setup::page()),
        _ => EitherOf3::C(super::users::page()),
    }
}
