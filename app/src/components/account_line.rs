//! Who is signed in, under the top bar. The server renders it from the request's identity
//! ([`Me`] in context), so a page asks nothing to show it and the browser carries no code for it
//! but the "Sign out" button.

use crate::api::auth::Me;
use crate::api::paths;
use crate::client;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The signed-in user and "Sign out", or the note that accounts are off.
#[component]
pub fn AccountLine() -> impl IntoView {
    let me = use_context::<Me>();
    view! {
        <div class="account">
            {me.map(|m| match m.user {
                _ if m.no_auth => Either::Left(view! {
                    <span class="no-auth-note" title="Accounts are off (--no-auth): everyone on this machine is an admin">
                        "Accounts are off (--no-auth): everyone on this machine is an admin"
                    </span>
                }),
                user => Either::Right(view! {
                    <span class="user-name">{user.map(|u| u.username)}</span>
                    <SignOut/>
                    <crate::ready::IslandEnd/>
                }),
            })}
        </div>
    }
}

/// `<body data-role="admin|reader|none">`, which the stylesheet uses to hide the controls a
/// reader may not use (the server refuses them anyway).
pub fn role_name(me: Option<&Me>) -> &'static str {
    match me.and_then(|m| m.role) {
        Some(crate::api::auth::Role::Admin) => "admin",
        Some(crate::api::auth::Role::Reader) => "reader",
        None => "none",
    }
}

/// Ends the session, then shows the sign-in page (an island).
#[island]
fn SignOut() -> impl IntoView {
    crate::ready::island_ready();
    let sign_out = move |_| {
        spawn_local(async move {
            let _ =
                client::send_text::<serde::de::IgnoredAny>("POST", paths::AUTH_LOGOUT, None).await;
            client::navigate("/login");
        });
    };
    view! { <button type="button" class="link sign-out" on:click=sign_out>"Sign out"</button> }
}
