//! One event stream per browser: the tabs of one origin elect a leader, which holds the only
//! `EventSource` and relays every event, with its id, to the others over a `BroadcastChannel`;
//! browser only.
//!
//! - **Election.** Where the page is a secure context, a Web Lock: the tab granted it leads until
//!   it closes. Over plain HTTP on a LAN (no Web Locks there), a lease in `localStorage`: the
//!   leader renews it every [`TICK_MS`] (every second at most in a background tab, where timers
//!   are throttled), and a follower that finds it older than [`LEASE_MS`] claims it and leads.
//!   A claim leads once it has stood for [`SETTLE_MS`], so of two tabs that claim at once only
//!   the one whose write won leads. A leader that finds another tab's live lease steps down (a
//!   tab that hung and was replaced). Two streams for a moment at worst, never none; the model
//!   drops the copies two leaders relay.
//! - **Hand-over.** A leader that leaves says so on the channel and clears its lease, so a
//!   follower claims at once; a leader that freezes loses its lease within [`LEASE_MS`]. The new
//!   leader opens its stream from the last id it applied: the server replays what came after,
//!   and the model drops what it has already seen.
//! - **Joining.** A tab that joins asks for what it missed since the id it last applied (its
//!   render's); the leader answers it alone from the events of its stream, or tells it to
//!   refetch everything when it no longer has them.
//! - **No channel.** Without `BroadcastChannel` each tab keeps a stream of its own.

use super::Shared;
use crate::live::browser;
use crate::live::ConnState;
use js_sys::{Array, Reflect};
use leptos::leptos_dom::helpers::IntervalHandle;
use leptos::prelude::*;
use std::collections::VecDeque;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Name of the channel, the lock and the lease's `localStorage` key.
const NAME: &str = "longbox-live";
/// How often the lease is renewed by its holder and checked by the others, in ms.
const TICK_MS: u64 = 250;
/// Age after which a lease counts as abandoned, in ms: above the one-second timer period of a
/// background tab, with room for a late tick.
const LEASE_MS: f64 = 1500.0;
/// How long a claim must stand before its tab leads, in ms: two tabs that claimed at once (each
/// wrote before the other's write reached it) both see, by then, which write won.
const SETTLE_MS: f64 = 50.0;
/// Longest a follower waits, at random, before claiming the lease of a leader that left, in ms.
const CLAIM_JITTER_MS: f64 = 200.0;
/// Most events of its stream a leader keeps for tabs that join.
const KEPT: usize = 512;

/// This tab's part in the election.
pub(super) struct Tab {
    /// The channel to the other tabs.
    channel: web_sys::BroadcastChannel,
    /// This tab's name on the channel and in the lease.
    me: String,
    /// Whether this tab holds the stream.
    leading: bool,
    /// Releases the Web Lock (`None` on the lease path, or before it is granted).
    release: Option<js_sys::Function>,
    /// The numbered events of this leader's stream (number, id, JSON), oldest first.
    kept: VecDeque<(f64, String, String)>,
    /// Whether `kept` has lost its oldest events.
    truncated: bool,
    /// The lease timer (lease path only).
    timer: Option<IntervalHandle>,
    /// When this tab last claimed the lease (ms since the epoch; lease path only).
    claimed_at: f64,
    /// Channel and lock callbacks, kept alive while the tab takes part.
    _callbacks: Vec<JsValue>,
}

/// Takes part in the election; without `BroadcastChannel`, opens a stream of this tab's own.
pub(super) fn join(m: &Shared) {
    if m.borrow().tab.is_some() {
        return;
    }
    let Ok(channel) = web_sys::BroadcastChannel::new(NAME) else {
        browser::connect(m);
        return;
    };
    // An integer, printed as such: printing a float would bring float formatting code.
    let me = ((js_sys::Math::random() * 9e15) as u64).to_string();
    let msg_m = m.clone();
    let on_msg =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            on_channel(&msg_m, e.data().unchecked_into())
        });
    channel.set_onmessage(Some(on_msg.as_ref().unchecked_ref()));
    let after = m.borrow().live.last_event_id.get_untracked();
    post(&channel, &["hi", &me, after.as_deref().unwrap_or("")]);
    let mut callbacks = vec![on_msg.into_js_value()];
    let locks = web_sys::window()
        .filter(|w| w.is_secure_context())
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined());
    let timer = match locks {
        Some(locks) => {
            callbacks.push(request_lock(m, &locks));
            None
        }
        None => {
            let tick_m = m.clone();
            set_interval_with_handle(move || tick(&tick_m), Duration::from_millis(TICK_MS)).ok()
        }
    };
    m.borrow_mut().tab = Some(Tab {
        channel,
        me,
        leading: false,
        release: None,
        kept: VecDeque::new(),
        truncated: false,
        timer,
        claimed_at: 0.0,
        _callbacks: callbacks,
    });
    tick(m);
}

/// Leaves the election (the page is hidden, or its stream switched off): a leader says so and
/// gives up its lease or lock, so a follower takes over at once.
pub(super) fn leave(m: &Shared) {
    let Some(tab) = m.borrow_mut().tab.take() else {
        return;
    };
    if let Some(t) = tab.timer {
        t.clear();
    }
    if tab.leading {
        post(&tab.channel, &["bye"]);
        if lease().0 == tab.me {
            let _ = storage().map(|s| s.remove_item(NAME));
        }
    }
    if let Some(release) = tab.release {
        let _ = release.call0(&JsValue::NULL);
    }
    mark(false);
    tab.channel.set_onmessage(None);
    tab.channel.close();
}

/// Whether this tab may hold a stream: it leads, or it takes no part in an election.
pub(super) fn may_connect(m: &Shared) -> bool {
    m.borrow().tab.as_ref().is_none_or(|t| t.leading)
}

/// Passes an event of the leader's stream on to the other tabs (and keeps it for joiners).
pub(super) fn relay(m: &Shared, id: &str, text: &str, number: Option<u64>) {
    // A leader that hung wakes up with its stream's events queued, after another tab took its
    // lease: it steps down instead of relaying them a second time.
    let replaced = m
        .borrow()
        .tab
        .as_ref()
        .is_some_and(|t| t.leading && t.timer.is_some() && lease().0 != t.me);
    if replaced {
        step_down(m);
        return;
    }
    let mut mm = m.borrow_mut();
    let Some(tab) = mm.tab.as_mut().filter(|t| t.leading) else {
        return;
    };
    post(&tab.channel, &["e", id, text, ""]);
    if let Some(n) = number {
        if tab.kept.len() == KEPT {
            tab.kept.pop_front();
            tab.truncated = true;
        }
        tab.kept
            .push_back((n as f64, id.to_string(), text.to_string()));
    }
}

/// Tells the other tabs the leader's connection state.
pub(super) fn relay_state(m: &Shared, state: ConnState) {
    if let Some(tab) = m.borrow().tab.as_ref().filter(|t| t.leading) {
        post(&tab.channel, &["s", state.as_str()]);
    }
}

fn post(channel: &web_sys::BroadcastChannel, parts: &[&str]) {
    let message = Array::new();
    for p in parts {
        message.push(&JsValue::from_str(p));
    }
    let _ = channel.post_message(&message);
}

fn on_channel(m: &Shared, message: Array) {
    let part = |i: u32| message.get(i).as_string().unwrap_or_default();
    let leading = m.borrow().tab.as_ref().is_some_and(|t| t.leading);
    match part(0).as_str() {
        // A leader applies them too: another tab's relays reach a leader only while two lead
        // (or one hung and was replaced), and the one that steps down must not miss what its own
        // stream had not yet brought. The model drops what it has already applied.
        "e" => {
            let to = part(3);
            let me = m.borrow().tab.as_ref().map(|t| t.me.clone());
            if to.is_empty() || Some(to) == me {
                browser::receive(m, part(1), part(2));
            }
        }
        "s" if !leading => browser::mirror_state(m, &part(1)),
        "r" if !leading && m.borrow().tab.as_ref().is_some_and(|t| t.me == part(1)) => {
            m.borrow().live.resyncs.update(|n| *n += 1)
        }
        "hi" if leading => answer_joiner(m, &part(1), &part(2)),
        // Not all at once: `localStorage` reaches other tabs a moment later, and the first
        // claim should be seen before the others look.
        "bye" if !leading => {
            let tick_m = m.clone();
            set_timeout(
                move || tick(&tick_m),
                Duration::from_millis((js_sys::Math::random() * CLAIM_JITTER_MS) as u64),
            );
        }
        _ => {}
    }
}

/// Sends a tab that joined what it missed after `after` (an id, or empty for everything), and
/// the connection state.
fn answer_joiner(m: &Shared, to: &str, after: &str) {
    let state = m.borrow().live.state.get_untracked();
    let mm = m.borrow();
    let Some(tab) = mm.tab.as_ref() else {
        return;
    };
    let after = js_sys::Number::parse_float(after);
    let covered = !tab.truncated || tab.kept.front().is_some_and(|(n, ..)| *n <= after);
    if covered {
        for (n, id, text) in &tab.kept {
            // `after` is NaN for a tab that has applied nothing: it gets everything.
            if after.is_nan() || *n > after {
                post(&tab.channel, &["e", id, text, to]);
            }
        }
    } else {
        post(&tab.channel, &["r", to]);
    }
    post(&tab.channel, &["s", state.as_str()]);
}

/// Lease path: renews this tab's lease, claims an abandoned one, or steps down.
fn tick(m: &Shared) {
    let (owner, stamp) = lease();
    let now = js_sys::Date::now();
    let Some((me, leading, lease_path, claimed_at)) = m
        .borrow()
        .tab
        .as_ref()
        .map(|t| (t.me.clone(), t.leading, t.timer.is_some(), t.claimed_at))
    else {
        return;
    };
    if !lease_path {
        return;
    }
    let write = || {
        let _ = storage().map(|s| s.set_item(NAME, &format!("{me} {}", now as u64)));
    };
    if owner == me {
        // Renewed by its leader; a claim leads once it has stood long enough to be the one
        // every tab sees (another tab's later write would have replaced it).
        if leading || now - claimed_at >= SETTLE_MS {
            write();
            if !leading {
                lead(m);
            }
        }
    } else if owner.is_empty() || now - stamp > LEASE_MS {
        write();
        if let Some(tab) = m.borrow_mut().tab.as_mut() {
            tab.claimed_at = now;
        }
        let settle_m = m.clone();
        set_timeout(
            move || tick(&settle_m),
            Duration::from_millis(SETTLE_MS as u64 + 10),
        );
    } else if leading {
        step_down(m);
    }
}

/// The lease in `localStorage`: its holder and when it was last renewed (ms since the epoch).
fn lease() -> (String, f64) {
    let value = storage()
        .and_then(|s| s.get_item(NAME).ok().flatten())
        .unwrap_or_default();
    let (owner, stamp) = value.split_once(' ').unwrap_or(("", ""));
    (owner.to_string(), js_sys::Number::parse_float(stamp))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Web Lock path: asks for the lock; this tab leads once it is granted, until it leaves.
fn request_lock(m: &Shared, locks: &JsValue) -> JsValue {
    let lock_m = m.clone();
    let granted = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock| {
        // Held until the promise resolves: `leave` calls its `resolve`.
        let p = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(tab) = lock_m.borrow_mut().tab.as_mut() {
                tab.release = Some(resolve);
            }
        });
        lead(&lock_m);
        p
    });
    if let Ok(request) = Reflect::get(locks, &"request".into()) {
        let request: js_sys::Function = request.unchecked_into();
        let _ = request.call2(locks, &NAME.into(), granted.as_ref().unchecked_ref());
    }
    granted.into_js_value()
}

/// Becomes the leader: opens the stream from the last id this tab applied.
fn lead(m: &Shared) {
    if let Some(tab) = m.borrow_mut().tab.as_mut() {
        if tab.leading {
            return;
        }
        tab.leading = true;
        tab.kept.clear();
        tab.truncated = false;
    }
    mark(true);
    browser::connect(m);
}

/// Another tab leads now: this one closes its stream and follows.
fn step_down(m: &Shared) {
    if let Some(tab) = m.borrow_mut().tab.as_mut() {
        tab.leading = false;
    }
    mark(false);
    browser::close(m);
}

/// `<body data-leader>`: whether this tab holds the browser's stream (for tests and the curious).
fn mark(leading: bool) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-leader", if leading { "true" } else { "false" });
    }
}
