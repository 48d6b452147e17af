//! `/login`: the sign-in form, which is also the first-run form of `/setup`.

use crate::api::auth::Credentials;
use crate::api::paths;
use crate::client;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The sign-in page.
pub(crate) fn page() -> impl IntoView {
    view! {
        <section class="auth">
            <h1>"Sign in"</h1>
            {form(false)}
        </section>
    }
}

/// User name and password (and, on `/setup`, the password again), posted as JSON; the server's
/// message is shown on failure, the library on success.
pub(crate) fn form(setup: bool) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if setup && password.get_untracked() != confirm.get_untracked() {
            error.set("The two passwords differ.".into());
            return;
        }
        let body = Credentials {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        let url = if setup {
            paths::AUTH_SETUP
        } else {
            paths::AUTH_LOGIN
        };
        busy.set(true);
        spawn_local(async move {
            match client::send::<serde::de::IgnoredAny, _>("POST", url, Some(&body)).await {
                Ok(_) => client::navigate("/"),
                Err(e) => {
                    error.set(e);
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form class="form auth-form" on:submit=submit>
            <label for="username">"User name"</label>
            <input id="username" name="username" type="text" autocomplete="username" required
                prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" required
                autocomplete=if setup { "new-password" } else { "current-password" }
                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
            {setup.then(|| view! {
                <p class="help">"At least 10 characters."</p>
                <label for="confirm">"Confirm password"</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required
                    prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
            })}
            <p class="error form-status" aria-live="polite">{move || error.get()}</p>
            <div>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {if setup { "Create admin account" } else { "Sign in" }}
                </button>
            </div>
        </form>
    }
}
