//! The one island of everything about accounts: who is signed in (in the top bar), and the
//! `/login`, `/setup` and `/users` pages. One lazy island rather than four: each island costs
//! the main bundle its loader, and these parts are small.

use crate::api::auth::{Me, Role};
use crate::api::paths;
use crate::client;
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// The page's accounts part, chosen by its path: the sign-in or first-run form, the Users page,
/// or (anywhere else, in the top bar) who is signed in (a lazy island).
#[island(lazy)]
pub fn Accounts() -> impl IntoView {
    crate::ready::island_ready();
    match page_path().as_str() {
        "/login" => EitherOf4::A(super::login::page()),
        "/setup" => EitherOf4::B(super::setup::page()),
        "/users" => EitherOf4::C(super::users::page(bar())),
        _ => EitherOf4::D(bar()),
    }
}

/// Marks `<body data-role="admin|reader|none">`, which the stylesheet uses to hide the controls
/// a reader may not use (the server refuses them anyway).
fn mark_role(role: Option<Role>) {
    #[cfg(feature = "hydrate")]
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let role = match role {
            Some(Role::Admin) => "admin",
            Some(Role::Reader) => "reader",
            None => "none",
        };
        let _ = body.set_attribute("data-role", role);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = role;
}

/// The signed-in user and "Sign out", or the note that accounts are off (asks
/// `GET /api/auth/me` once hydrated).
pub(crate) fn bar() -> impl IntoView {
    let me = RwSignal::new(None::<Me>);
    Effect::new(move |_| {
        spawn_local(async move {
            if let Ok(m) = client::get::<Me>(paths::AUTH_ME).await {
                mark_role(m.role);
                me.set(Some(m));
            }
        });
    });
    let sign_out = move |_| {
        spawn_local(async move {
            let _ =
                client::send_text::<serde::de::IgnoredAny>("POST", paths::AUTH_LOGOUT, None).await;
            client::navigate("/login");
        });
    };
    view! {
        <div class="account">
            {move || me.get().map(|m| match m.user {
                _ if m.no_auth => Either::Left(view! {
                    <span class="no-auth-note" title="Accounts are off (--no-auth): everyone on this machine is an admin">
                        "Accounts are off (--no-auth): everyone on this machine is an admin"
                    </span>
                }),
                user => Either::Right(view! {
                    <span class="user-name">{user.map(|u| u.username)}</span>
                    <button type="button" class="link sign-out" on:click=sign_out>"Sign out"</button>
                }),
            })}
        </div>
    }
}
