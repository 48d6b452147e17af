//! `/users` (admins): accounts and API keys.

use crate::api::auth::{ApiKeyView, CreatedApiKey, NewApiKey, NewUser, Role, UserUpdate, UserView};
use crate::api::paths;
use crate::client;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::IgnoredAny;

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Reader => "reader",
    }
}

fn role_from(name: &str) -> Role {
    if name == "admin" {
        Role::Admin
    } else {
        Role::Reader
    }
}

/// A role `<select>` showing `role`, calling `on_change` with the one picked.
fn role_select(
    id: Option<&'static str>,
    role: Role,
    on_change: impl Fn(Role) + 'static,
) -> impl IntoView {
    view! {
        <select id=id aria-label="Role" on:change=move |ev| on_change(role_from(&event_target_value(&ev)))>
            <option value="reader" selected=role == Role::Reader>"Reader"</option>
            <option value="admin" selected=role == Role::Admin>"Admin"</option>
        </select>
    }
}

/// The accounts and API keys, with their forms.
pub(crate) fn page() -> impl IntoView {
    let users = RwSignal::new(Vec::<UserView>::new());
    let keys = RwSignal::new(Vec::<ApiKeyView>::new());
    let error = RwSignal::new(String::new());
    let notice = RwSignal::new(String::new());
    let created_key = RwSignal::new(None::<CreatedApiKey>);
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        reload.track();
        spawn_local(async move {
            match client::get::<Vec<UserView>>(paths::USERS).await {
                Ok(list) => users.set(list),
                Err(e) => error.set(e),
            }
            match client::get::<Vec<ApiKeyView>>(paths::API_KEYS).await {
                Ok(list) => keys.set(list),
                Err(e) => error.set(e),
            }
        });
    });
    // Runs one request; on success says `done` and reloads both lists.
    let run = move |method: &'static str, url: String, body: Option<UserUpdate>, done: String| {
        spawn_local(async move {
            match client::send::<IgnoredAny, _>(method, &url, body.as_ref()).await {
                Ok(_) => {
                    error.set(String::new());
                    notice.set(done);
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(e),
            }
        });
    };

    let new_name = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Reader);
    let create_user = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewUser {
            username: new_name.get_untracked(),
            password: new_password.get_untracked(),
            role: new_role.get_untracked(),
        };
        let done = format!("Account “{}” created", body.username);
        spawn_local(async move {
            match client::send::<UserView, _>("POST", paths::USERS, Some(&body)).await {
                Ok(_) => {
                    new_name.set(String::new());
                    new_password.set(String::new());
                    error.set(String::new());
                    notice.set(done);
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(e),
            }
        });
    };

    let key_name = RwSignal::new(String::new());
    let key_role = RwSignal::new(Role::Reader);
    let create_key = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewApiKey {
            name: key_name.get_untracked(),
            role: key_role.get_untracked(),
        };
        spawn_local(async move {
            match client::send::<CreatedApiKey, _>("POST", paths::API_KEYS, Some(&body)).await {
                Ok(created) => {
                    key_name.set(String::new());
                    error.set(String::new());
                    notice.set(String::new());
                    created_key.set(Some(created));
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(e),
            }
        });
    };

    let user_rows = move || {
        users
            .get()
            .into_iter()
            .map(|u| {
                let id = u.id;
                let name = u.username.clone();
                let password = RwSignal::new(String::new());
                let change_role = {
                    let name = name.clone();
                    move |role: Role| {
                        let update = UserUpdate {
                            role: Some(role),
                            password: None,
                        };
                        run("PATCH", paths::user(id), Some(update), format!("“{name}” is now {}", role_name(role)));
                    }
                };
                let reset = {
                    let name = name.clone();
                    move |_| {
                        let update = UserUpdate {
                            role: None,
                            password: Some(password.get_untracked()),
                        };
                        run("PATCH", paths::user(id), Some(update), format!("Password of “{name}” reset"));
                    }
                };
                let delete = {
                    let name = name.clone();
                    move |_| run("DELETE", paths::user(id), None, format!("Account “{name}” deleted"))
                };
                view! {
                    <tr data-user=name.clone()>
                        <td class="user-cell">{name.clone()}</td>
                        <td>{role_select(None, u.role, change_role)}</td>
                        <td class="reset">
                            <input type="password" aria-label=format!("New password for {name}") placeholder="New password"
                                autocomplete="new-password" prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev))/>
                            <button type="button" on:click=reset>"Reset password"</button>
                        </td>
                        <td><button type="button" class="danger" on:click=delete>"Delete"</button></td>
                    </tr>
                }
            })
            .collect_view()
    };

    let key_rows = move || {
        keys.get()
            .into_iter()
            .map(|k| {
                let id = k.id;
                let name = k.name.clone();
                let revoke = {
                    let name = name.clone();
                    move |_| run("DELETE", paths::api_key(id), None, format!("Key “{name}” revoked"))
                };
                view! {
                    <tr data-key=name.clone()>
                        <td>{k.name}</td>
                        <td>{role_name(k.role)}</td>
                        <td class="muted">{if k.last_used.is_some() { "used" } else { "never used" }}</td>
                        <td><button type="button" class="danger" on:click=revoke>"Revoke"</button></td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="users">
            <div class="users-head">
                <h1>"Users"</h1>
            </div>
            <p class="error form-status" aria-live="polite">{move || error.get()}</p>
            <p class="notice" aria-live="polite">{move || notice.get()}</p>
            <table class="accounts">
                <thead><tr><th>"Name"</th><th>"Role"</th><th>"Password"</th><th></th></tr></thead>
                <tbody>{user_rows}</tbody>
            </table>
            <h2>"Add an account"</h2>
            <form class="form inline-form new-user" on:submit=create_user>
                <label for="new-username">"User name"</label>
                <input id="new-username" type="text" autocomplete="off" required
                    prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev))/>
                <label for="new-password">"Password"</label>
                <input id="new-password" type="password" autocomplete="new-password" required
                    prop:value=move || new_password.get() on:input=move |ev| new_password.set(event_target_value(&ev))/>
                <label for="new-role">"Role"</label>
                {role_select(Some("new-role"), Role::Reader, move |r| new_role.set(r))}
                <div><button type="submit" class="primary">"Add account"</button></div>
            </form>

            <h2>"API keys"</h2>
            <table class="api-keys">
                <thead><tr><th>"Name"</th><th>"Role"</th><th>"Last used"</th><th></th></tr></thead>
                <tbody>{key_rows}</tbody>
            </table>
            {move || created_key.get().map(|c| view! {
                <div class="new-key" role="status">
                    <p>"New key “" {c.view.name} "”: " <code class="key">{c.key}</code></p>
                    <p class="muted">"Copy it now: it will not be shown again. Send it as "
                        <code>"Authorization: Bearer <key>"</code> "."</p>
                </div>
            })}
            <form class="form inline-form new-key-form" on:submit=create_key>
                <label for="key-name">"Key name"</label>
                <input id="key-name" type="text" autocomplete="off" required placeholder="e.g. komga sync"
                    prop:value=move || key_name.get() on:input=move |ev| key_name.set(event_target_value(&ev))/>
                <label for="key-role">"Role"</label>
                {role_select(Some("key-role"), Role::Reader, move |r| key_role.set(r))}
                <div><button type="submit" class="primary">"Create key"</button></div>
            </form>
        </section>
    }
}
