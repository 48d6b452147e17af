//! `/settings`: file name template with a live preview, padding, watcher, parallelism.

use crate::api::{paths, Settings};
use crate::client;
use crate::events::NotificationLevel;
use crate::live::use_live;
use crate::naming::{file_name, validate_template, NameParts, PLACEHOLDERS};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The sample the preview renders.
fn sample() -> NameParts {
    NameParts {
        series: "Batman: Year One".into(),
        issue: "7.5".into(),
        volume: "1".into(),
        year: "1987".into(),
        publisher: "DC Comics".into(),
    }
}

/// The settings form (an island).
#[island(lazy)]
pub fn SettingsPage() -> impl IntoView {
    let live = use_live();
    crate::ready::island_ready();
    let template = RwSignal::new(String::new());
    let padding = RwSignal::new(4u8);
    let enabled = RwSignal::new(true);
    let parallelism = RwSignal::new(2u8);
    let server_error = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        spawn_local(async move {
            match client::get::<Settings>(paths::SETTINGS).await {
                Ok(s) => {
                    template.set(s.filename_template);
                    padding.set(s.issue_padding);
                    enabled.set(s.watcher_enabled);
                    parallelism.set(s.parallelism);
                    loaded.set(true);
                }
                Err(e) => server_error.set(Some(e)),
            }
        });
    });
    let check = move || {
        validate_template(&template.get())
            .err()
            .map(|e| e.to_string())
    };
    let preview = move || {
        file_name(&template.get(), padding.get() as usize, &sample(), ".cbz")
            .unwrap_or_else(|e| format!("({e})"))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if check().is_some() {
            return;
        }
        let body = Settings {
            filename_template: template.get_untracked(),
            issue_padding: padding.get_untracked(),
            watcher_enabled: enabled.get_untracked(),
            parallelism: parallelism.get_untracked(),
            // Not on this form: kept as they are.
            convert_cbr: None,
            cbr_trash: None,
        };
        spawn_local(async move {
            match client::send::<Settings, _>("PUT", paths::SETTINGS, Some(&body)).await {
                Ok(_) => {
                    server_error.set(None);
                    live.toast(NotificationLevel::Success, "Settings saved");
                }
                Err(e) => server_error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="settings">
            <h1>"Settings"</h1>
            <form on:submit=save class="form" novalidate>
                <label for="template">"File name template"</label>
                <input id="template" name="template" type="text" prop:value=move || template.get()
                    on:input=move |ev| template.set(event_target_value(&ev))
                    aria-invalid=move || check().is_some().to_string() aria-describedby="template-help"/>
                <p id="template-help" class="help">
                    {format!("Placeholders: {}", PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" "))}
                </p>
                {move || check().map(|e| view! { <p class="error field-error" role="alert">{e}</p> })}
                <p class="preview">"Preview for “Batman: Year One #7.5 (1987)”: " <code>{preview}</code></p>

                <label for="padding">"Issue number padding (digits)"</label>
                <input id="padding" type="number" min="0" max="8" prop:value=move || padding.get().to_string()
                    on:input=move |ev| padding.set(event_target_value(&ev).parse().unwrap_or(0))/>

                <label for="parallelism">"Files processed at once"</label>
                <input id="parallelism" type="number" min="1" max="64" prop:value=move || parallelism.get().to_string()
                    on:input=move |ev| parallelism.set(event_target_value(&ev).parse().unwrap_or(1))/>

                <label class="check">
                    <input type="checkbox" prop:checked=move || enabled.get() on:change=move |_| enabled.update(|e| *e = !*e)/>
                    "Process new comics automatically when they appear"
                </label>
                {move || server_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div>
                    <button type="submit" class="primary" disabled=move || !loaded.get() || check().is_some()>"Save"</button>
                </div>
            </form>
        </section>
    }
}
