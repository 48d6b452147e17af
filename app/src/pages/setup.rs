//! `/setup`: the first run, where the first admin account is created.

use leptos::prelude::*;

/// The first-run page: the sign-in form, with the password asked twice.
pub(crate) fn page() -> impl IntoView {
    view! {
        <section class="auth">
            <h1>"Welcome to Longbox"</h1>
            <p class="muted">
                "Create the first account. It is an admin: it can add other accounts on the Users page."
            </p>
            {super::login::form(true)}
        </section>
    }
}
