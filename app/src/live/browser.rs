//! The `EventSource` state machine; browser only. What the events mean is [`Model`]'s business:
//! this feeds it and carries out its [`Effects`].

use super::model::{upsert_job, Effects, Model};
use super::*;
use crate::api::paths;
use crate::events::Envelope;
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

struct Machine {
    live: Live,
    model: Model,
    source: Option<web_sys::EventSource>,
    callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    failures: u32,
    retry: Option<TimeoutHandle>,
    poll: Option<IntervalHandle>,
    /// The timer of the pending file list refresh.
    refresh: Option<TimeoutHandle>,
}

type Shared = Rc<RefCell<Machine>>;

fn now() -> f64 {
    js_sys::Date::now()
}

fn set_state(m: &Machine, state: ConnState) {
    if m.live.state.get_untracked() != state {
        m.live.state.set(state);
        m.live.since.set(now());
    }
}

pub(super) fn start(live: Live) {
    let m: Shared = Rc::new(RefCell::new(Machine {
        live,
        model: Model::new(now()),
        source: None,
        callbacks: Vec::new(),
        on_message: None,
        failures: 0,
        retry: None,
        poll: None,
        refresh: None,
    }));
    live.since.set(now());
    // Open or close as the tab asks (the diagnostics page has a switch).
    let effect_m = m.clone();
    Effect::new(move |_| {
        if live.wanted.get() {
            if effect_m.borrow().source.is_none() {
                connect(&effect_m);
            }
        } else {
            close(&effect_m);
            stop_polling(&effect_m);
            set_state(&effect_m.borrow(), ConnState::Offline);
        }
    });
    // Close on page unload so the server frees the connection at once.
    if let Some(window) = web_sys::window() {
        let hide_m = m.clone();
        let on_hide = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
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
                set_state(&m.borrow(), ConnState::Reconnecting);
                connect(&m);
            }
        });
        let _ =
            window.add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
        on_show.forget();
    }
}

fn connect(m: &Shared) {
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
        set_state(&open_m.borrow(), ConnState::Open);
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

fn close(m: &Shared) {
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
        set_state(&m.borrow(), ConnState::Offline);
        start_polling(m);
    } else {
        set_state(&m.borrow(), ConnState::Reconnecting);
    }
    let base = (1000.0 * 2f64.powi(failures as i32 - 1)).min(30_000.0);
    let delay = base * (0.8 + 0.4 * js_sys::Math::random());
    let retry_m = m.clone();
    let handle = set_timeout_with_handle(
        move || {
            retry_m.borrow_mut().retry = None;
            if retry_m.borrow().live.wanted.get_untracked() {
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
    let envelope = match Envelope::from_json_in_browser(&text) {
        Ok(env) => env,
        Err(err) => {
            leptos::logging::warn!("longbox: skipping malformed event: {err}");
            return;
        }
    };
    let live = m.borrow().live;
    // The id of this event, or (the browser keeps it) of the last one that had one.
    let id = e.last_event_id();
    // Read by JS (`parseInt`), not Rust's integer parser, which the bundle would carry only for
    // this. Ids are below 2^53 (microseconds since 1970), so the float holds them exactly.
    let number = js_sys::Number::parse_int(&id, 10);
    let number = (number >= 0.0).then_some(number as u64);
    live.log.update(|log| {
        log.push_front(LogEntry {
            kind: envelope.event.event_type().as_str(),
            id: (!id.is_empty()).then(|| id.clone()),
            received_ms: now(),
            payload: text,
        });
        log.truncate(LOG_LIMIT);
    });
    let effects = m.borrow_mut().model.apply(number, envelope, now());
    carry_out(m, effects, id);
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
