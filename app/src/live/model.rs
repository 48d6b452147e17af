//! The live state's decisions as plain data: [`Model::apply`] takes one event (with its SSE id
//! and the time) and returns the [`Effects`] the page must carry out. No timers and no browser
//! here: the connection code (`browser.rs`) feeds the model and carries out its effects, and the
//! tests below drive it with made-up ids and times.
//!
//! What it decides:
//! - **Order.** A numbered event whose id is not above the last one applied is a duplicate or out
//!   of date, and is ignored. The exception is the opening state of a stream that did not resume
//!   (a first connection, or one the server could not replay): the latest event of each kind,
//!   with the ids they were published under, all at or below the id [`Event::Connected`]
//!   carries. Those are the current state and are applied.
//! - **Refreshing the file list.** A committed rebuild or a processed file asks for a refresh.
//!   The first one after a quiet spell refreshes at once (the leading edge: a single change shows
//!   without waiting); the rest of a burst gives one more refresh 250 ms after the burst ends, or
//!   1 s after it began if it goes on (a trailing debounce with a maximum wait, decided from the
//!   times passed in).
//! - **Resync.** The server could not replay what was missed: everything shown is refetched at
//!   once, and the state that follows is taken whatever its ids.
//! - **Signing out.** `session_expired` (a sign-out in another tab, a deleted account, a revoked
//!   key) ends the page's stream and sends it to the sign-in page.
//! - **Toasts.** A notification, a file that failed, a job that finished while this page watched
//!   it. Events published well before the page loaded (replayed state) raise no toast.

use crate::events::{Envelope, Event, EventType, JobStatus, JobUpdated, NotificationLevel};
use crate::events::{Notification, WatcherStatus};

/// Quiet time after the last event of a burst before the file list refreshes, in ms.
pub(crate) const DEBOUNCE_MS: f64 = 250.0;
/// Longest a burst delays the refresh, in ms after its first event.
pub(crate) const MAX_WAIT_MS: f64 = 1000.0;
/// An event published up to this long before the page loaded still raises its toast, in ms.
const FRESH_SLACK_MS: f64 = 2000.0;

/// What the page knows beyond its signals: where the stream stands and the pending refresh.
#[derive(Debug)]
pub(crate) struct Model {
    /// When the page loaded, ms since the epoch.
    loaded_at: f64,
    /// The id to resume from: the highest id applied ([`Event::Connected`]'s included).
    last_id: Option<u64>,
    /// While the opening state of a stream that did not resume arrives: the id
    /// [`Event::Connected`] carried, at or below which events are current state whatever
    /// `last_id` says.
    snapshot: Option<u64>,
    /// The id the latest [`Event::Connected`] carried: where its stream stands, which a
    /// [`Event::Resync`] makes the resume position.
    stream_at: Option<u64>,
    /// Jobs last heard of as not finished.
    active_jobs: Vec<String>,
    /// When the current burst of refresh requests began.
    burst_start: Option<f64>,
    /// When a refresh was last asked for.
    last_request: Option<f64>,
    /// When the pending refresh is due.
    refresh_due: Option<f64>,
}

/// What one event asks of the page. Empty for an event that was ignored.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Effects {
    /// The event was applied; false for a duplicate or out-of-date one, which asks nothing.
    pub applied: bool,
    /// This stream's connection id, to show.
    pub connection_id: Option<String>,
    /// The new resume position, to show.
    pub last_id: Option<u64>,
    /// The watcher's new state.
    pub watcher: Option<WatcherStatus>,
    /// A job's new state, to put in the list in place of its old one.
    pub job: Option<JobUpdated>,
    /// A toast to raise.
    pub toast: Option<(NotificationLevel, String)>,
    /// When the file list must refresh (ms since the epoch); replaces any pending refresh.
    pub refresh_at: Option<f64>,
    /// Everything shown must be refetched.
    pub resync: bool,
    /// This page's session ended: stop the stream and show the sign-in page.
    pub signed_out: bool,
}

impl Model {
    /// The state of a page loaded at `loaded_at` (ms since the epoch) that has heard nothing.
    pub(crate) fn new(loaded_at: f64) -> Self {
        Self {
            loaded_at,
            last_id: None,
            snapshot: None,
            stream_at: None,
            active_jobs: Vec::new(),
            burst_start: None,
            last_request: None,
            refresh_due: None,
        }
    }

    /// The state of a page loaded at `loaded_at` that was rendered from the state after event
    /// `rendered_at`: its stream resumes there, and only what came after is news.
    pub(crate) fn resuming(loaded_at: f64, rendered_at: Option<u64>) -> Self {
        Self {
            last_id: rendered_at,
            ..Self::new(loaded_at)
        }
    }

    /// The id a new stream resumes after, if any (the browser keeps it as text, from
    /// [`Effects::last_id`]).
    #[cfg(test)]
    fn last_id(&self) -> Option<u64> {
        self.last_id
    }

    /// Applies one event that arrived at `now` (ms since the epoch). `id` is its SSE id, which
    /// [`Event::Resync`] never has (its reported id, if any, is ignored).
    pub(crate) fn apply(&mut self, id: Option<u64>, envelope: Envelope, now: f64) -> Effects {
        let mut fx = Effects::default();
        let before = self.last_id;
        if !self.in_order(envelope.event.event_type(), id) {
            return fx;
        }
        fx.applied = true;
        if self.last_id != before {
            fx.last_id = self.last_id;
        }
        let fresh = envelope.timestamp * 1000.0 >= self.loaded_at - FRESH_SLACK_MS;
        match envelope.event {
            Event::Connected(c) => fx.connection_id = Some(c.connection_id),
            Event::Resync(_) => {
                // What this page applied is no guide to a server that cannot replay it (one
                // that restarted with a clock that went back): its stream's position is.
                if let Some(at) = self.stream_at.filter(|at| self.last_id != Some(*at)) {
                    self.last_id = Some(at);
                    fx.last_id = Some(at);
                }
                self.snapshot = self.last_id;
                fx.resync = true;
                fx.refresh_at = Some(self.request_refresh(now, true));
            }
            Event::CacheUpdated(c) => {
                if c.rebuild_complete {
                    fx.refresh_at = Some(self.request_refresh(now, false));
                }
            }
            Event::FileProcessed(f) => {
                fx.refresh_at = Some(self.request_refresh(now, false));
                if !f.success && fresh {
                    let why = f.error.unwrap_or_else(|| "unknown error".into());
                    fx.toast = Some((NotificationLevel::Error, format!("{}: {why}", f.filename)));
                }
            }
            Event::WatcherStatus(w) => fx.watcher = Some(w),
            Event::JobUpdated(j) => {
                let known = self.active_jobs.iter().position(|id| *id == j.job_id);
                let finished = j.status.is_finished();
                match known {
                    Some(i) if finished => {
                        self.active_jobs.swap_remove(i);
                        fx.toast = Some(job_toast(&j));
                    }
                    None if !finished => self.active_jobs.push(j.job_id.clone()),
                    _ => {}
                }
                fx.job = Some(j);
            }
            Event::Notification(Notification { level, message }) => {
                if fresh {
                    fx.toast = Some((level, message));
                }
            }
            Event::SessionExpired(_) => fx.signed_out = true,
            // A finished run of the cover generator: the list's cover URLs now name their
            // thumbnails. A run replayed from before the page loaded changes nothing.
            Event::CoversProgress(p) => {
                if p.done == p.total && fresh {
                    fx.refresh_at = Some(self.request_refresh(now, false));
                }
            }
        }
        fx
    }

    /// Whether an event of type `kind` with SSE id `id` comes after what was applied; moves the
    /// resume position when it does.
    fn in_order(&mut self, kind: EventType, id: Option<u64>) -> bool {
        // `resync` and `session_expired` are this connection's news and carry no id of their own
        // (the browser reports the previous one).
        let unnumbered = matches!(kind, EventType::Resync | EventType::SessionExpired);
        let Some(id) = id.filter(|_| !unnumbered) else {
            return true;
        };
        if kind == EventType::Connected {
            // A stream that resumes at or before where this page stands (its own, or another
            // tab's that had applied less) replays what came after: the page keeps its place and
            // drops what it has seen. Otherwise the current state follows, published before `id`.
            self.stream_at = Some(id);
            let ahead = self.last_id.is_none_or(|last| id > last);
            self.snapshot = ahead.then_some(id);
            if ahead {
                self.last_id = Some(id);
            }
            return true;
        }
        if self.snapshot.is_some_and(|s| id <= s) {
            return true;
        }
        self.snapshot = None;
        if self.last_id.is_some_and(|last| id <= last) {
            return false;
        }
        self.last_id = Some(id);
        true
    }

    /// Asks for a refresh at `now`; returns when it is due: at once when `immediate` or after a
    /// quiet spell (none pending, none asked for in the last [`DEBOUNCE_MS`]), else
    /// [`DEBOUNCE_MS`] from now but no later than [`MAX_WAIT_MS`] after the burst began.
    fn request_refresh(&mut self, now: f64, immediate: bool) -> f64 {
        let quiet = self.refresh_due.is_none()
            && self
                .last_request
                .is_none_or(|last| now - last >= DEBOUNCE_MS);
        self.last_request = Some(now);
        let start = *self.burst_start.get_or_insert(now);
        let wait = if immediate || quiet {
            0.0
        } else {
            DEBOUNCE_MS.min(start + MAX_WAIT_MS - now).max(0.0)
        };
        self.refresh_due = Some(now + wait);
        now + wait
    }

    /// The refresh timer went off at `now`: whether the file list refreshes (the burst is then
    /// over). False for a timer that a later request replaced.
    pub(crate) fn refresh_fired(&mut self, now: f64) -> bool {
        match self.refresh_due {
            Some(due) if now >= due => {
                self.refresh_due = None;
                self.burst_start = None;
                true
            }
            _ => false,
        }
    }
}

/// The toast of a job that finished while the page watched it.
fn job_toast(j: &JobUpdated) -> (NotificationLevel, String) {
    let p = j.progress;
    let level = if p.errors > 0 || j.status == JobStatus::Failed {
        NotificationLevel::Warning
    } else {
        NotificationLevel::Success
    };
    let message = format!(
        "Job {}: {} of {} done, {} errors",
        j.status.as_str(),
        p.success,
        p.total,
        p.errors
    );
    (level, message)
}

/// Puts `job` in `jobs` in place of its earlier state, or last if it is new (the list keeps the
/// order in which jobs were first heard of).
pub(crate) fn upsert_job(jobs: &mut Vec<JobUpdated>, job: JobUpdated) {
    match jobs.iter_mut().find(|x| x.job_id == job.job_id) {
        Some(x) => *x = job,
        None => jobs.push(job),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::*;

    /// The page loaded at this time (ms); events are published and arrive after it.
    const LOADED: f64 = 1_700_000_000_000.0;

    /// An event published at `at_ms` (ms since the epoch).
    fn env(event: Event, at_ms: f64) -> Envelope {
        Envelope::new(event, at_ms / 1000.0)
    }

    fn connected(id: &str) -> Event {
        Event::Connected(Connected {
            connection_id: id.into(),
            subscriptions: Vec::new(),
        })
    }

    fn cache(rebuild_complete: bool) -> Event {
        Event::CacheUpdated(CacheUpdated {
            rebuild_complete,
            message: "1 added".into(),
        })
    }

    fn job(id: &str, status: JobStatus, errors: u64) -> Event {
        Event::JobUpdated(JobUpdated {
            job_id: id.into(),
            status,
            progress: JobProgress::new(4, 4, 4 - errors, errors),
        })
    }

    fn notification(message: &str) -> Event {
        Event::Notification(Notification {
            level: NotificationLevel::Info,
            message: message.into(),
        })
    }

    /// A model that has opened a fresh stream ([`Event::Connected`] with id 100) and heard its
    /// opening.
    fn streaming() -> Model {
        let mut m = Model::new(LOADED);
        m.apply(Some(100), env(connected("c1"), LOADED), LOADED);
        m.apply(
            Some(101),
            env(notification("live from here"), LOADED),
            LOADED,
        );
        m
    }

    /// Feeds `events` (arrival time in ms, SSE id, event) to `m` with one refresh timer, as the
    /// browser does, and returns when the file list refreshed.
    fn refreshes(m: &mut Model, events: impl IntoIterator<Item = (f64, u64, Event)>) -> Vec<f64> {
        let mut timer = None::<f64>;
        let mut out = Vec::new();
        let mut fire = |m: &mut Model, timer: &mut Option<f64>, until: f64| {
            if let Some(due) = timer.filter(|due| *due <= until) {
                *timer = None;
                if m.refresh_fired(due) {
                    out.push(due);
                }
            }
        };
        for (t, id, event) in events {
            fire(m, &mut timer, t);
            if let Some(due) = m.apply(Some(id), env(event, t), t).refresh_at {
                timer = Some(due);
            }
        }
        fire(m, &mut timer, f64::INFINITY);
        out
    }

    #[test]
    fn connected_names_the_connection_and_the_resume_position() {
        let mut m = Model::new(LOADED);
        let fx = m.apply(Some(100), env(connected("c7"), LOADED), LOADED);
        assert_eq!(
            fx,
            Effects {
                applied: true,
                connection_id: Some("c7".into()),
                last_id: Some(100),
                ..Effects::default()
            }
        );
        assert_eq!(m.last_id(), Some(100));
    }

    #[test]
    fn watcher_status_is_shown_as_it_comes() {
        let mut m = streaming();
        let status = WatcherStatus {
            running: true,
            enabled: false,
        };
        let fx = m.apply(Some(102), env(Event::WatcherStatus(status), LOADED), LOADED);
        assert_eq!(fx.watcher, Some(status));
        assert_eq!((fx.toast, fx.refresh_at, fx.resync), (None, None, false));
    }

    #[test]
    fn a_committed_rebuild_refreshes_the_list_and_a_running_one_does_not() {
        let mut m = streaming();
        let t = LOADED + 5_000.0;
        let running = m.apply(Some(102), env(cache(false), t), t);
        assert_eq!(running.refresh_at, None);
        assert_eq!(running.last_id, Some(102));
        let done = m.apply(Some(103), env(cache(true), t), t);
        assert_eq!(
            done.refresh_at,
            Some(t),
            "the first change after a quiet spell, at once"
        );
        assert_eq!(done.toast, None);
    }

    #[test]
    fn a_failed_file_refreshes_the_list_and_raises_a_toast_unless_it_is_old_news() {
        let mut m = streaming();
        let failed = |name: &str| {
            Event::FileProcessed(FileProcessed {
                filepath: format!("a/{name}"),
                filename: name.into(),
                success: false,
                error: Some("cannot tag a .cbr".into()),
            })
        };
        let t = LOADED + 5_000.0;
        let fx = m.apply(Some(102), env(failed("b.cbr"), t), t);
        assert_eq!(
            fx.toast,
            Some((NotificationLevel::Error, "b.cbr: cannot tag a .cbr".into()))
        );
        assert!(fx.refresh_at.is_some());
        // Published a minute before the page loaded (replayed): refresh, no toast.
        let fx = m.apply(Some(103), env(failed("c.cbr"), LOADED - 60_000.0), t);
        assert_eq!(fx.toast, None);
        assert!(fx.refresh_at.is_some());
        // A success refreshes quietly.
        let ok = Event::FileProcessed(FileProcessed {
            filepath: "a/d.cbz".into(),
            filename: "d.cbz".into(),
            success: true,
            error: None,
        });
        let fx = m.apply(Some(104), env(ok, t), t);
        assert_eq!(fx.toast, None);
        assert!(fx.refresh_at.is_some());
    }

    #[test]
    fn a_job_is_listed_and_toasted_once_when_it_finishes_under_the_pages_eyes() {
        let mut m = streaming();
        let fx = m.apply(
            Some(102),
            env(job("j1", JobStatus::Processing, 0), LOADED),
            LOADED,
        );
        assert_eq!(
            fx.job.as_ref().map(|j| j.status),
            Some(JobStatus::Processing)
        );
        assert_eq!(fx.toast, None);
        let fx = m.apply(
            Some(103),
            env(job("j1", JobStatus::Completed, 1), LOADED),
            LOADED,
        );
        assert_eq!(
            fx.toast,
            Some((
                NotificationLevel::Warning,
                "Job completed: 3 of 4 done, 1 errors".into()
            ))
        );
        // Heard of only once finished (e.g. replayed): listed, not toasted; nor is a repeat.
        let fx = m.apply(
            Some(104),
            env(job("j2", JobStatus::Completed, 0), LOADED),
            LOADED,
        );
        assert!(fx.job.is_some());
        assert_eq!(fx.toast, None);
        let fx = m.apply(
            Some(105),
            env(job("j1", JobStatus::Completed, 1), LOADED),
            LOADED,
        );
        assert_eq!(fx.toast, None);
        // A clean finish is a success.
        m.apply(
            Some(106),
            env(job("j3", JobStatus::Queued, 0), LOADED),
            LOADED,
        );
        let fx = m.apply(
            Some(107),
            env(job("j3", JobStatus::Completed, 0), LOADED),
            LOADED,
        );
        assert_eq!(fx.toast.map(|t| t.0), Some(NotificationLevel::Success));
    }

    #[test]
    fn jobs_keep_the_order_they_were_first_heard_of() {
        let mut jobs = Vec::new();
        for (id, status) in [
            ("a", JobStatus::Queued),
            ("b", JobStatus::Queued),
            ("a", JobStatus::Completed),
        ] {
            let Event::JobUpdated(j) = job(id, status, 0) else {
                unreachable!()
            };
            upsert_job(&mut jobs, j);
        }
        let listed: Vec<_> = jobs.iter().map(|j| (j.job_id.as_str(), j.status)).collect();
        assert_eq!(
            listed,
            [("a", JobStatus::Completed), ("b", JobStatus::Queued)]
        );
    }

    #[test]
    fn a_fresh_notification_is_toasted_and_a_replayed_one_is_not() {
        let mut m = streaming();
        let t = LOADED + 1_000.0;
        let fx = m.apply(Some(102), env(notification("hello"), t), t);
        assert_eq!(fx.toast, Some((NotificationLevel::Info, "hello".into())));
        let fx = m.apply(Some(103), env(notification("old"), LOADED - 10_000.0), t);
        assert_eq!(fx.toast, None);
        assert_eq!(fx.last_id, Some(103), "applied all the same");
    }

    #[test]
    fn duplicate_and_out_of_order_events_are_ignored() {
        let mut m = streaming();
        let t = LOADED + 1_000.0;
        assert!(m
            .apply(Some(110), env(notification("a"), t), t)
            .toast
            .is_some());
        // The same id again, and an older one: nothing happens.
        assert_eq!(
            m.apply(Some(110), env(notification("a"), t), t),
            Effects::default()
        );
        assert_eq!(
            m.apply(Some(105), env(cache(true), t), t),
            Effects::default()
        );
        assert_eq!(m.last_id(), Some(110));
        assert!(m
            .apply(Some(111), env(notification("b"), t), t)
            .toast
            .is_some());
    }

    #[test]
    fn a_fresh_stream_applies_its_opening_state_whatever_its_ids() {
        let mut m = Model::new(LOADED);
        m.apply(Some(100), env(connected("c1"), LOADED), LOADED);
        // The latest of each kind, published before [`Event::Connected`].
        let status = WatcherStatus {
            running: true,
            enabled: true,
        };
        let fx = m.apply(Some(40), env(Event::WatcherStatus(status), LOADED), LOADED);
        assert_eq!((fx.watcher, fx.last_id), (Some(status), None));
        assert!(m
            .apply(
                Some(90),
                env(job("j1", JobStatus::Processing, 0), LOADED),
                LOADED
            )
            .job
            .is_some());
        // Live events follow; after them an old id is out of date again.
        assert_eq!(
            m.apply(Some(101), env(cache(true), LOADED), LOADED).last_id,
            Some(101)
        );
        assert_eq!(
            m.apply(Some(90), env(cache(true), LOADED), LOADED),
            Effects::default()
        );
        assert_eq!(m.last_id(), Some(101));
    }

    #[test]
    fn a_resumed_stream_continues_where_it_stopped() {
        let mut m = streaming();
        // The stream drops and the page reconnects with `last_event_id=101`: the server
        // confirms 101 and replays what came after, once.
        let fx = m.apply(Some(101), env(connected("c2"), LOADED), LOADED);
        assert_eq!(fx.connection_id.as_deref(), Some("c2"));
        assert_eq!(fx.last_id, None, "same position");
        assert_eq!(
            m.apply(Some(101), env(cache(true), LOADED), LOADED),
            Effects::default()
        );
        assert!(m
            .apply(Some(102), env(cache(true), LOADED), LOADED)
            .refresh_at
            .is_some());
    }

    #[test]
    fn a_second_leader_resuming_from_further_back_doubles_nothing() {
        let mut m = streaming();
        let t = LOADED + 1_000.0;
        for id in 102..=105 {
            assert!(m.apply(Some(id), env(notification("gap"), t), t).applied);
        }
        // Another tab that also took the lead had applied up to 103: its stream confirms 103
        // and replays 104 and 105, which this page has.
        let fx = m.apply(Some(103), env(connected("c2"), t), t);
        assert_eq!(fx.last_id, None, "keeps its place");
        for id in [104, 105] {
            assert_eq!(
                m.apply(Some(id), env(notification("gap"), t), t),
                Effects::default()
            );
        }
        assert_eq!(m.last_id(), Some(105));
        assert!(m.apply(Some(106), env(notification("new"), t), t).applied);
    }

    #[test]
    fn a_resync_refetches_everything_now_and_takes_the_state_that_follows() {
        let mut m = streaming();
        let t = LOADED + 3_000.0;
        m.apply(Some(102), env(cache(true), t), t);
        let pending = m.apply(Some(103), env(cache(true), t), t + 1.0).refresh_at;
        assert_eq!(pending, Some(t + 1.0 + DEBOUNCE_MS));
        // The server restarted: it cannot replay after 102. Its new stream starts at 50 (a clock
        // that went back), says so, and sends its current state.
        m.apply(Some(50), env(connected("c1"), t), t);
        let fx = m.apply(
            Some(50),
            env(
                Event::Resync(Resync {
                    reason: "restart".into(),
                }),
                t,
            ),
            t,
        );
        assert!(fx.resync);
        assert_eq!(
            fx.refresh_at,
            Some(t),
            "at once, replacing the pending refresh"
        );
        assert!(m.refresh_fired(t));
        assert!(!m.refresh_fired(t + DEBOUNCE_MS), "one refresh, not two");
        let fx = m.apply(Some(30), env(job("j9", JobStatus::Processing, 0), t), t);
        assert!(
            fx.job.is_some(),
            "older than anything seen, but current state"
        );
        assert_eq!(m.last_id(), Some(50));
        assert!(m
            .apply(Some(51), env(cache(true), t), t)
            .refresh_at
            .is_some());
    }

    #[test]
    fn a_burst_of_cache_updates_refreshes_the_list_at_its_start_and_once_after() {
        let mut m = streaming();
        let t0 = LOADED + 10_000.0;
        // 500 events within 100 ms.
        let burst = (0..500).map(|i| (t0 + i as f64 * 0.2, 200 + i, cache(true)));
        let done = refreshes(&mut m, burst);
        assert_eq!(
            done,
            [t0, t0 + 499.0 * 0.2 + DEBOUNCE_MS],
            "the first at once, then 250 ms after the last one"
        );
    }

    #[test]
    fn a_long_burst_refreshes_at_most_once_a_second() {
        let mut m = streaming();
        let t0 = LOADED + 10_000.0;
        // One event every 100 ms for 3 s: never quiet for 250 ms.
        let burst = (0..30).map(|i| (t0 + i as f64 * 100.0, 200 + i, cache(true)));
        let done = refreshes(&mut m, burst);
        assert_eq!(
            done,
            [t0, t0 + 1_100.0, t0 + 2_100.0, t0 + 3_100.0],
            "at once, then every MAX_WAIT_MS while it lasts, the last one 200 ms after the burst"
        );
    }

    #[test]
    fn events_apart_refresh_each() {
        let mut m = streaming();
        let t0 = LOADED + 10_000.0;
        let done = refreshes(
            &mut m,
            [(t0, 200, cache(true)), (t0 + 1_000.0, 201, cache(true))],
        );
        assert_eq!(done, [t0, t0 + 1_000.0], "each at once");
    }

    #[test]
    fn session_expired_signs_the_page_out() {
        let mut m = streaming();
        let expired = Event::SessionExpired(SessionExpired {
            reason: "your session ended".into(),
        });
        // Un-numbered: the browser still reports the last id it had.
        let fx = m.apply(Some(101), env(expired, LOADED + 5.0), LOADED + 5.0);
        assert!(fx.signed_out);
        assert_eq!(fx.toast, None);
        assert_eq!(fx.refresh_at, None);
    }

    #[test]
    fn a_finished_cover_run_refreshes_the_list_and_progress_or_old_runs_do_not() {
        let mut m = streaming();
        let t = LOADED + 5_000.0;
        let progress = |done, total| Event::CoversProgress(CoversProgress { done, total });
        let running = m.apply(Some(102), env(progress(3, 10), t), t);
        assert_eq!((running.refresh_at, running.toast), (None, None));
        let done = m.apply(Some(103), env(progress(10, 10), t), t);
        assert_eq!(
            done.refresh_at,
            Some(t),
            "the first change after a quiet spell, at once"
        );
        assert_eq!(done.toast, None);
        // The last run's event, kept for new tabs, is older than this page: nothing to do.
        let mut fresh_page = streaming();
        let old = fresh_page.apply(Some(104), env(progress(10, 10), LOADED - 60_000.0), t);
        assert_eq!(old.refresh_at, None);
    }
}
