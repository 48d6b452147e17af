//! Dark mode: follows the system until the user picks, then remembers the pick.

use leptos::prelude::*;

/// The three theme choices, cycled by the toggle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn next(self) -> Self {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn parse(s: &str) -> Self {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
}

/// A button cycling system → light → dark; sets `data-theme` on `<html>`.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(Theme::System);

    // Read the stored choice after hydration so server and client render the same markup.
    #[cfg(feature = "hydrate")]
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            if let Some(stored) = storage().and_then(|s| s.get_item("longbox-theme").ok().flatten())
            {
                theme.set(Theme::parse(&stored));
            }
        }
        apply(theme.get());
    });

    view! {
        <button
            class="theme-toggle"
            type="button"
            data-theme=move || theme.get().as_str()
            title=move || format!("Theme: {} (click to change)", theme.get().as_str())
            on:click=move |_| theme.update(|t| *t = t.next())
        >
            {move || match theme.get() {
                Theme::System => "◐ Auto",
                Theme::Light => "☀ Light",
                Theme::Dark => "☾ Dark",
            }}
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(feature = "hydrate")]
fn apply(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    if let Some(s) = storage() {
        let _ = s.set_item("longbox-theme", theme.as_str());
    }
}
