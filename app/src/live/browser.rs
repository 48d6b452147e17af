//! The `EventSource` state machine; browser only. What the events mean is [`Model`]'s business:
//! this feeds it and carries out its [`Effects`]. Whether this tab holds the stream or hears it
//! from the tab that does is [`leader`]'s.

use super::model::{upsert_job, Effects, Model};
use super::*;
use crate::api::paths;
use crate::events::{Envelope, EventType};
use leptos::leptos_dom::helpers::{IntervalHandle, TimeoutHandle};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Most log entries kept for `/sse-test`.
const LOG_LIMIT: usize = 200;
const POLL: Duration = Duration::from_secs(10);
const FAILS_BEFORE_POLLING: u32 = 3;

mod leader;

pub(super) struct Machine {
    pub(super) live: Live,
    model: Model,
    source: Option<web_sys::EventSource>,
    callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    failures: u32,
    retry: Option<TimeoutHandle>,
    poll: Option<IntervalHandle>,
    /// The timer of the pending file list refresh.
    refresh: Option<TimeoutHandle>,
    /// This tab's part in electing the tab that holds the stream (`None`: not taking part).
    tab: Option<leader::Tab>,
}

pub(super) type Shared = Rc<RefCell<Machine>>;

fn now() -> f64 {
    js_sys::Date::now()
}

fn set_state(m: &Shared, state: ConnState) {
    let live = m.borrow().live;
    if live.state.get_untracked() != state {
        live.state.set(state);
        live.since.set(now());
        leader::relay_state(m, state);
    }
}

/// A follower shows the leader's connection state, and polls while the leader cannot connect.
pub(super) fn mirror_state(m: &Shared, state: &str) {
    let state = match state {
        "open" => ConnState::Open,
        "reconnecting" => ConnState::Reconnecting,
        "offline" => ConnState::Offline,
        _ => ConnState::Connecting,
    };
    set_state(m, state);
    if state == ConnState::Offline {
        start_polling(m);
    } else {
        stop_polling(m);
    }
}

thread_local! {
    /// The document's live state, once an island has asked for it.
    static DOCUMENT: std::cell::OnceCell<Live> = const { std::cell::OnceCell::new() };
}

/// The document's [`Live`], made and connected on the first call. Its signals and effects belong
/// to a root owner of their own, never cleaned up: they live as long as the document.
pub(super) fn document_live() -> Live {
    DOCUMENT.with(|cell| {
        *cell.get_or_init(|| {
            let owner = Owner::new_root(None);
            let live = owner.with(|| {
                let page = super::page_state();
                let live = Live::new(&page);
                start(live, page.event_id);
                live
            });
            std::mem::forget(owner);
            live
        })
    })
}

/// Starts the document's connection; `rendered_at` is the event id the page was rendered at,
/// after which it resumes.
fn start(live: Live, rendered_at: Option<u64>) {
    let m: Shared = Rc::new(RefCell::new(Machine {
        live,
        model: Model::resuming(now(), rendered_at),
        source: None,
        callbacks: Vec::new(),
        on_message: None,
        failures: 0,
        retry: None,
        poll: None,
        refresh: None,
        tab: None,
    }));
    live.since.set(now());
    // Open or close as the tab asks (the diagnostics page has a switch).
    let effect_m = m.clone();
    Effect::new(move |_| {
        if live.wanted.get() {
            leader::join(&effect_m);
        } else {
            leader::leave(&effect_m);
            close(&effect_m);
            stop_polling(&effect_m);
            set_state(&effect_m, ConnState::Offline);
        }
    });
    // Close on page unload so the server frees the connection at once.
    if let Some(window) = web_sys::window() {
        let hide_m = m.clone();
        let on_hide = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            leader::leave(&hide_m);
            close(&hide_m);
            stop_polling(&hide_m);
        });
        let _ =
            window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        on_hide.forget();
        // A page restored from the back/forward cache comes back with that stream closed:
        // reopen it (resuming from the last event id, so what was missed is replayed).
        let on_show = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let persisted = js_sys::Reflect::get(&ev, &"persisted".into())
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            let closed = m.borrow().source.is_none();
            if persisted && closed && m.borrow().live.wanted.get_untracked() {
                set_state(&m, ConnState::Reconnecting);
                leader::join(&m);
            }
        });
        let _ =
            window.add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
        on_show.forget();
    }
}

/// Opens this tab's stream, resuming after the last event it applied.
pub(super) fn connect(m: &Shared) {
    if m.borrow().source.is_some() {
        return;
    }
    // The model's resume position, as the text it was received as.
    let last_id = m.borrow().live.last_event_id.get_untracked();
    let url = paths::events_stream(last_id.as_deref());
    let Ok(source) = web_sys::EventSource::new(&url) else {
        on_error(m);
        return;
    };
    let open_m = m.clone();
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        open_m.borrow_mut().failures = 0;
        stop_polling(&open_m);
        set_state(&open_m, ConnState::Open);
    });
    let err_m = m.clone();
    let on_err = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_error(&err_m));
    let msg_m = m.clone();
    let on_msg =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            on_message(&msg_m, e)
        });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_err.as_ref().unchecked_ref()));
    source.set_onmessage(Some(on_msg.as_ref().unchecked_ref()));
    let mut mm = m.borrow_mut();
    mm.callbacks = vec![on_open, on_err];
    mm.on_message = Some(on_msg);
    mm.source = Some(source);
}

/// Closes this tab's stream, if it has one.
pub(super) fn close(m: &Shared) {
    let mut mm = m.borrow_mut();
    if let Some(source) = mm.source.take() {
        source.set_onopen(None);
        source.set_onerror(None);
        source.set_onmessage(None);
        source.close();
    }
    if let Some(t) = mm.retry.take() {
        t.clear();
    }
}

fn on_error(m: &Shared) {
    close(m);
    if !m.borrow().live.wanted.get_untracked() {
        return;
    }
    let failures = {
        let mut mm = m.borrow_mut();
        mm.failures += 1;
        mm.failures
    };
    if failures >= FAILS_BEFORE_POLLING {
        set_state(m, ConnState::Offline);
        start_polling(m);
    } else {
        set_state(m, ConnState::Reconnecting);
    }
    let base = (1000.0 * 2f64.powi(failures as i32 - 1)).min(30_000.0);
    let delay = base * (0.8 + 0.4 * js_sys::Math::random());
    let retry_m = m.clone();
    let handle = set_timeout_with_handle(
        move || {
            retry_m.borrow_mut().retry = None;
            if retry_m.borrow().live.wanted.get_untracked() && leader::may_connect(&retry_m) {
                connect(&retry_m);
            }
        },
        Duration::from_millis(delay as u64),
    )
    .ok();
    m.borrow_mut().retry = handle;
}

fn start_polling(m: &Shared) {
    if m.borrow().poll.is_some() {
        return;
    }
    let live = m.borrow().live;
    let handle = set_interval_with_handle(move || live.resyncs.update(|n| *n += 1), POLL).ok();
    m.borrow_mut().poll = handle;
}

fn stop_polling(m: &Shared) {
    if let Some(p) = m.borrow_mut().poll.take() {
        p.clear();
    }
}

fn on_message(m: &Shared, e: web_sys::MessageEvent) {
    let Some(text) = e.data().as_string() else {
        return;
    };
    // The id of this event, or (the browser keeps it) of the last one that had one.
    let id = e.last_event_id();
    if let Some(number) = receive(m, id.clone(), text.clone()) {
        leader::relay(m, &id, &text, number);
    }
}

/// Applies one event, from this tab's stream or relayed by the leader; `id` is its SSE id as
/// received. Returns `None` for one that is not an event, else its id as a number, if any.
pub(super) fn receive(m: &Shared, id: String, text: String) -> Option<Option<u64>> {
    let envelope = match Envelope::from_json_in_browser(&text) {
        Ok(env) => env,
        Err(err) => {
            leptos::logging::warn!("longbox: skipping malformed event: {err}");
            return None;
        }
    };
    let live = m.borrow().live;
    // Read by JS (`parseInt`), not Rust's integer parser, which the bundle would carry only for
    // this. Ids are below 2^53 (microseconds since 1970), so the float holds them exactly.
    let number = js_sys::Number::parse_int(&id, 10);
    let number = (number >= 0.0).then_some(number as u64);
    // `resync` and `session_expired` are news of one stream, not events to hand to a joiner.
    let kind = envelope.event.event_type();
    let numbered =
        number.filter(|_| !matches!(kind, EventType::Resync | EventType::SessionExpired));
    let effects = m.borrow_mut().model.apply(number, envelope, now());
    // The log shows what this tab applied: a copy the model dropped (two tabs relayed it for a
    // moment while both led, or a stream replayed it) is not an event the tab had twice.
    if effects.applied {
        live.log.update(|log| {
            log.push_front(LogEntry {
                kind: kind.as_str(),
                id: (!id.is_empty()).then(|| id.clone()),
                received_ms: now(),
                payload: text,
            });
            log.truncate(LOG_LIMIT);
        });
    }
    carry_out(m, effects, id);
    Some(numbered)
}

/// Puts what the model decided on the page. `id` is the event's id as received.
fn carry_out(m: &Shared, fx: Effects, id: String) {
    let live = m.borrow().live;
    if let Some(id) = fx.connection_id {
        live.connection_id.set(Some(id));
    }
    if fx.last_id.is_some() {
        // The new resume position is this event's id.
        live.last_event_id.set(Some(id));
    }
    if let Some(w) = fx.watcher {
        live.watcher.set(Some(w));
    }
    if let Some(job) = fx.job {
        live.jobs.update(|jobs| upsert_job(jobs, job));
    }
    if let Some((level, message)) = fx.toast {
        live.toast(level, message);
    }
    if fx.resync {
        live.resyncs.update(|n| *n += 1);
    }
    if let Some(due) = fx.refresh_at {
        arm_refresh(m, due);
    }
    if fx.signed_out {
        close(m);
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_href("/login");
        }
    }
}

/// Sets the one refresh timer to go off at `due` (ms since the epoch), replacing any other.
fn arm_refresh(m: &Shared, due: f64) {
    let fire_m = m.clone();
    let handle = set_timeout_with_handle(
        move || {
            let (live, fired) = {
                let mut fm = fire_m.borrow_mut();
                fm.refresh = None;
                (fm.live, fm.model.refresh_fired(due))
            };
            if fired {
                live.refresh.update(|n| *n += 1);
            }
        },
        Duration::from_millis((due - now()).max(0.0) as u64),
    )
    .ok();
    if let Some(old) = std::mem::replace(&mut m.borrow_mut().refresh, handle) {
        old.clear();
    }
}
