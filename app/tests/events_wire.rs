//! The wire format of every event, byte for byte, in both directions.

use app::events::*;

/// `(event, exact JSON)` for every variant; timestamp 1700000000.5.
fn goldens() -> Vec<(Event, &'static str)> {
    vec![
        (
            Event::CacheUpdated(CacheUpdated {
                rebuild_complete: true,
                message: "3 added".into(),
            }),
            r#"{"type":"cache_updated","data":{"rebuild_complete":true,"message":"3 added"},"timestamp":1700000000.5}"#,
        ),
        (
            Event::WatcherStatus(WatcherStatus {
                running: true,
                enabled: false,
            }),
            r#"{"type":"watcher_status","data":{"running":true,"enabled":false},"timestamp":1700000000.5}"#,
        ),
        (
            Event::FileProcessed(FileProcessed {
                filepath: "Saga/Saga - Chapter 0003.cbz".into(),
                filename: "Saga - Chapter 0003.cbz".into(),
                success: true,
                error: None,
            }),
            r#"{"type":"file_processed","data":{"filepath":"Saga/Saga - Chapter 0003.cbz","filename":"Saga - Chapter 0003.cbz","success":true,"error":null},"timestamp":1700000000.5}"#,
        ),
        (
            Event::FileProcessed(FileProcessed {
                filepath: "a/b.cbr".into(),
                filename: "b.cbr".into(),
                success: false,
                error: Some("cannot tag a .cbr".into()),
            }),
            r#"{"type":"file_processed","data":{"filepath":"a/b.cbr","filename":"b.cbr","success":false,"error":"cannot tag a .cbr"},"timestamp":1700000000.5}"#,
        ),
        (
            Event::JobUpdated(JobUpdated {
                job_id: "5f0c6a52-6f7a-4a57-9a39-2c3c1f5e8e11".into(),
                status: JobStatus::Processing,
                progress: JobProgress::new(1, 4, 1, 0),
            }),
            r#"{"type":"job_updated","data":{"job_id":"5f0c6a52-6f7a-4a57-9a39-2c3c1f5e8e11","status":"processing","progress":{"processed":1,"total":4,"success":1,"errors":0,"percentage":25.0}},"timestamp":1700000000.5}"#,
        ),
        (
            Event::Connected(Connected {
                connection_id: "c7".into(),
                subscriptions: vec!["job_updated".into(), "connected".into()],
            }),
            r#"{"type":"connected","data":{"connection_id":"c7","subscriptions":["job_updated","connected"]},"timestamp":1700000000.5}"#,
        ),
        (
            Event::Resync(Resync {
                reason: "restart".into(),
            }),
            r#"{"type":"resync","data":{"reason":"restart"},"timestamp":1700000000.5}"#,
        ),
        (
            Event::Notification(Notification {
                level: NotificationLevel::Warning,
                message: "disk low".into(),
            }),
            r#"{"type":"notification","data":{"level":"warning","message":"disk low"},"timestamp":1700000000.5}"#,
        ),
        (
            Event::SessionExpired(SessionExpired {
                reason: "signed out".into(),
            }),
            r#"{"type":"session_expired","data":{"reason":"signed out"},"timestamp":1700000000.5}"#,
        ),
        (
            Event::CoversProgress(CoversProgress { done: 3, total: 10 }),
            r#"{"type":"covers_progress","data":{"done":3,"total":10},"timestamp":1700000000.5}"#,
        ),
    ]
}

#[test]
fn every_variant_serialises_to_its_golden_json() {
    for (event, golden) in goldens() {
        assert_eq!(Envelope::new(event, 1_700_000_000.5).to_json(), golden);
    }
}

#[test]
fn every_golden_json_deserialises_to_its_variant() {
    for (event, golden) in goldens() {
        let parsed = Envelope::from_json(golden).expect(golden);
        assert_eq!(parsed.event, event);
        assert_eq!(parsed.timestamp, 1_700_000_000.5);
    }
}

#[test]
fn goldens_cover_every_type() {
    let mut seen: Vec<EventType> = goldens().iter().map(|(e, _)| e.event_type()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, EventType::ALL.to_vec());
}

#[test]
fn every_job_status_uses_its_wire_name() {
    for (status, name) in [
        (JobStatus::Queued, "queued"),
        (JobStatus::Processing, "processing"),
        (JobStatus::Completed, "completed"),
        (JobStatus::Failed, "failed"),
        (JobStatus::Cancelled, "cancelled"),
    ] {
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{name}\"")
        );
        assert_eq!(status.as_str(), name);
    }
}

#[test]
fn absent_error_reads_as_none() {
    let text = r#"{"type":"file_processed","data":{"filepath":"x.cbz","filename":"x.cbz","success":true},"timestamp":1}"#;
    match Envelope::from_json(text).unwrap().event {
        Event::FileProcessed(f) => assert_eq!(f.error, None),
        other => panic!("wrong variant {other:?}"),
    }
}

#[test]
fn unknown_type_is_rejected_naming_the_type() {
    let err =
        Envelope::from_json(r#"{"type":"cache_exploded","data":{},"timestamp":1}"#).unwrap_err();
    assert!(err.contains("unknown event type `cache_exploded`"), "{err}");
    assert_eq!(
        err,
        "unknown event type `cache_exploded`, expected one of cache_updated, watcher_status, \
         file_processed, job_updated, connected, resync, notification, session_expired, \
         covers_progress",
        "lists the known types"
    );
}

#[test]
fn type_names_round_trip_and_are_what_serde_writes() {
    assert_eq!(EventType::COUNT, EventType::ALL.len());
    for (i, t) in EventType::ALL.into_iter().enumerate() {
        assert_eq!(t.index(), i);
        assert_eq!(t.as_str().parse::<EventType>(), Ok(t));
    }
    for (event, json) in goldens() {
        let name = event.event_type().as_str();
        assert!(
            json.starts_with(&format!(r#"{{"type":"{name}","#)),
            "{json}"
        );
    }
}

#[test]
fn wrong_payload_is_rejected_naming_type_and_field() {
    let missing = Envelope::from_json(
        r#"{"type":"cache_updated","data":{"rebuild_complete":true},"timestamp":1}"#,
    )
    .unwrap_err();
    assert!(
        missing.contains("cache_updated") && missing.contains("message"),
        "{missing}"
    );

    let wrong_type =
        Envelope::from_json(r#"{"type":"watcher_status","data":{"running":"yes","enabled":true}}"#)
            .unwrap_err();
    assert!(
        wrong_type.contains("watcher_status") && wrong_type.contains("invalid type"),
        "{wrong_type}"
    );

    let bad_enum = Envelope::from_json(r#"{"type":"job_updated","data":{"job_id":"x","status":"done","progress":{"processed":0,"total":0,"success":0,"errors":0,"percentage":0}}}"#)
        .unwrap_err();
    assert!(bad_enum.contains("unknown variant `done`"), "{bad_enum}");

    let no_type = Envelope::from_json(r#"{"data":{}}"#).unwrap_err();
    assert!(no_type.contains("type"), "{no_type}");
}

#[test]
fn timestamp_is_optional_on_input() {
    let env = Envelope::from_json(r#"{"type":"resync","data":{"reason":"x"}}"#).unwrap();
    assert_eq!(env.timestamp, 0.0);
}

#[test]
fn type_names_round_trip() {
    for t in EventType::ALL {
        assert_eq!(t.as_str().parse::<EventType>().unwrap(), t);
    }
    assert!("Cache_Updated".parse::<EventType>().is_err());
}

#[test]
fn percentage_is_derived_and_bounded() {
    assert_eq!(JobProgress::new(0, 0, 0, 0).percentage, 100.0);
    assert_eq!(JobProgress::new(1, 3, 1, 0).percentage, 100.0 / 3.0);
    assert_eq!(JobProgress::new(3, 3, 2, 1).percentage, 100.0);
}
