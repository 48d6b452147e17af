//! The `EventSource` state machine; browser only.

use super::*;
use leptos::leptos_dom::helpers::{IntervalHandle, TimeoutHandle};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const DEBOUNCE_MS: f64 = 250.0;
const MAX_WAIT_MS: f64 = 1000.0;
const POLL: Duration = Duration::from_secs(10);
const FAILS_BEFORE_POLLING: u32 = 3;

struct Machine {
    live: Live,
    source: Option<web_sys::EventSource>,
    callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    failures: u32,
    retry: Option<TimeoutHandle>,
    poll: Option<IntervalHandle>,
    burst_start: Option<f64>,
    debounce: Option<TimeoutHandle>,
    loaded_at: f64,
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
        source: None,
        callbacks: Vec::new(),
        on_message: None,
        failures: 0,
        retry: None,
        poll: None,
        burst_start: None,
        debounce: None,
        loaded_at: now(),
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

fn stream_url(live: &Live) -> String {
    match live.last_event_id.get_untracked() {
        Some(id) if !id.is_empty() => format!("/api/events/stream?last_event_id={id}"),
        _ => "/api/events/stream".to_string(),
    }
}

fn connect(m: &Shared) {
    let live = m.borrow().live;
    let Ok(source) = web_sys::EventSource::new(&stream_url(&live)) else {
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
    let (live, loaded_at) = {
        let mm = m.borrow();
        (mm.live, mm.loaded_at)
    };
    let envelope = match Envelope::from_json_in_browser(&text) {
        Ok(env) => env,
        Err(err) => {
            leptos::logging::warn!("longbox: skipping malformed event: {err}");
            return;
        }
    };
    let id = e.last_event_id();
    if !id.is_empty() {
        live.last_event_id.set(Some(id.clone()));
    }
    live.log.update(|log| {
        log.push_front(LogEntry {
            kind: envelope.event.event_type().as_str().to_string(),
            id: (!id.is_empty()).then_some(id),
            received_ms: now(),
            payload: text,
        });
        log.truncate(LOG_LIMIT);
    });
    let fresh = envelope.timestamp * 1000.0 >= loaded_at - 2000.0;
    live.apply(&envelope, fresh, &mut |immediate| {
        schedule_refresh(m, immediate)
    });
}

/// Trailing debounce with a maximum wait: a burst yields a refresh at most every second and
/// one 250 ms after it ends.
fn schedule_refresh(m: &Shared, immediate: bool) {
    let live = m.borrow().live;
    let mut mm = m.borrow_mut();
    if let Some(t) = mm.debounce.take() {
        t.clear();
    }
    let t = now();
    let start = *mm.burst_start.get_or_insert(t);
    let wait = if immediate {
        0.0
    } else {
        DEBOUNCE_MS.min(start + MAX_WAIT_MS - t).max(0.0)
    };
    let fire_m = m.clone();
    mm.debounce = set_timeout_with_handle(
        move || {
            let mut fm = fire_m.borrow_mut();
            fm.debounce = None;
            fm.burst_start = None;
            drop(fm);
            live.refresh.update(|n| *n += 1);
        },
        Duration::from_millis(wait as u64),
    )
    .ok();
}
