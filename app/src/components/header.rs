//! The top bar: product name, navigation, who is signed in, and global controls.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::connection_dot::ConnectionDot;
use super::theme_toggle::ThemeToggle;
use super::watcher_pill::WatcherPill;
use crate::api::auth::{Me, Role};
use crate::api::paths;
use crate::client;
use leptos_router::components::A;

/// The top bar shown on every page; only its controls hydrate. Links marked `admin-only` are
/// hidden once [`AccountBar`] knows the page is a reader's.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Longbox"</a>
            <nav class="nav" aria-label="Main">
                <A href="/">"Library"</A>
                <A href="/history">"History"</A>
                <A href="/settings" attr:class="admin-only">"Settings"</A>
                <A href="/users" attr:class="admin-only">"Users"</A>
                <A href="/sse-test">"Diagnostics"</A>
            </nav>
            <AccountBar/>
            <StatusControls/>
        </header>
    }
}

/// The live controls at the right of the top bar (an island).
#[island]
pub fn StatusControls() -> impl IntoView {
    crate::ready::island_ready();
    view! {
        <div class="topbar-controls">
            <WatcherPill/>
            <ConnectionDot/>
            <ThemeToggle/>
        </div>
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

/// The signed-in user and "Sign out", or the note that accounts are off (a lazy island: it
/// asks `GET /api/auth/me` once hydrated).
#[island(lazy)]
pub fn AccountBar() -> impl IntoView {
    crate::ready::island_ready();
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
