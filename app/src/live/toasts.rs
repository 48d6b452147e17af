//! The toasts of the document's [`Live`](super::Live): stacked at the corner, coloured by
//! level, announced through `aria-live` (errors as alerts).

use crate::events::NotificationLevel;
use crate::live::use_live;
use leptos::prelude::*;

fn level_class(level: NotificationLevel) -> &'static str {
    match level {
        NotificationLevel::Info => "toast toast-info",
        NotificationLevel::Success => "toast toast-success",
        NotificationLevel::Warning => "toast toast-warning",
        NotificationLevel::Error => "toast toast-error",
    }
}

/// An error interrupts (`alert`: read out at once); anything else waits its turn (`status`).
fn level_role(level: NotificationLevel) -> &'static str {
    match level {
        NotificationLevel::Error => "alert",
        _ => "status",
    }
}

/// The toast stack; each toast leaves after 5 s or when dismissed (an island, outside the
/// routed content, so it stays through client-side navigations). It is the first island of
/// the page, so it hydrates before the stream opens: a toast raised by the first events is
/// shown.
#[island]
pub fn Toasts() -> impl IntoView {
    let live = use_live();
    crate::ready::island_ready();
    view! {
        <div class="toasts" aria-live="polite" aria-atomic="false">
            <For each=move || live.toasts.get() key=|t| t.id let:toast>
                <div class=level_class(toast.level) role=level_role(toast.level)>
                    <span class="toast-text">{toast.message.clone()}</span>
                    <button
                        class="toast-close"
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| live.dismiss(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
