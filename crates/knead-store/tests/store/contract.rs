//! The store contract, for any backend: run it with `suite!(Backend)`.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use knead_core::intake::Intake;
use knead_core::limits::DayRoom;
use knead_core::records::{
    CheckIn, Clearance, ImportReport, Journal, PersonId, Review, ScreeningRecord, SessionEnd, SessionPain,
    SessionRecord, SessionStatus, SessionSummary, StepDone,
};
use knead_core::session::Outcome;
use knead_core::units::{ChangeRating, PainScore};
use knead_core::vocab::{Disposition, Region, TechniqueId};
use knead_store::accounts::{Account, Accounts, Attempt, Attempts, Role, SignIn};
use knead_store::calendars::{CalendarFeed, Calendars};
use knead_store::mail::{AccountToken, Mail, Mailing, PushSubscription, Recipient, TokenPurpose};
use knead_store::sharing::{
    Acknowledgement, Assignment, AuditAction, AuditEntry, Grant, Invitation, Message, Sharing, ThreadSummary,
};
use knead_store::{Latest, Period, SessionKey, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use uuid::Uuid;

/// A backend under test: makes a fresh, empty store. `Guard` keeps whatever
/// the store needs alive (a temporary folder, a database) until dropped.
pub trait Backend {
    /// The store.
    type S: Store + Accounts + Sharing + Calendars + Mailing;
    /// Dropped after the store.
    type Guard;
    /// A fresh, empty store.
    async fn fresh() -> (Self::Guard, Self::S);
    /// Whether to skip the suite: only when the developer asked to, never
    /// quietly because something is missing (that must fail instead).
    fn skip() -> bool {
        false
    }
}

/// One `#[tokio::test]` per contract test, for `$backend`.
macro_rules! suite {
    ($backend:ty) => {
        $crate::contract::suite!(@tests $backend;
            local_person_is_stable,
            screenings_newest_first_with_limit,
            one_screening_by_id_and_the_latest_clearance,
            journal_versions_move_with_every_write_a_judgement_reads,
            screening_write_is_idempotent_and_conflicts,
            guided_session_begin_steps_finish,
            add_step_only_to_own_session_in_progress,
            add_step_retry_keeps_one_step,
            finish_only_from_in_progress,
            begin_and_record_are_idempotent_and_conflict,
            begin_refuses_finished_session,
            invalid_sessions_are_refused,
            persons_never_see_each_other,
            interrupt_open_sessions_ends_at_last_step,
            summaries_oldest_first_in_period,
            latest_summaries_are_the_newest_with_the_count,
            summaries_page_after_a_key_within_the_period,
            pains_are_the_summaries_pain_in_a_few_bytes,
            checkins_oldest_first_idempotent_and_conflict,
            export_import_round_trip,
            import_refuses_wrong_format_and_version,
            import_conflict_rolls_back_everything,
            sub_second_times_come_back_equal,
            any_text_comes_back_as_written,
            accounts_by_email_and_taken_addresses,
            sign_ins_lapse_and_close,
            roles_come_back_from_accounts_and_sign_ins,
            an_accepted_invitation_grants_access_to_both_sides,
            an_invitation_is_used_once_and_lapses,
            a_patient_cannot_accept_their_own_invitation,
            revoking_ends_access_and_is_logged_once,
            only_the_patient_revokes_their_grant,
            a_new_invitation_after_revocation_grants_again,
            the_newest_assignment_is_in_force,
            a_clearance_is_kept_with_its_log_line_once,
            a_review_of_a_clearance_is_kept_with_its_log_line_and_a_withdrawn_one_lifts_nothing,
            acknowledgements_keep_the_latest_through_per_clinician,
            messages_newest_first_with_limit,
            reading_marks_the_messages_to_the_patient_up_to_a_moment,
            each_thread_is_one_clinician_and_the_patient_read_on_both_sides,
            writes_with_the_same_id_are_retries_or_conflicts,
            one_live_calendar_feed_per_person,
            a_day_rule_judges_sessions_sent_at_once_one_by_one,
            a_day_room_counts_seconds_by_technique,
            attempts_count_until_the_limit,
            attempts_lapse_after_their_window,
            each_attempt_lapses_in_its_own_window,
            forgetting_a_keys_attempts,
            attempts_of_one_key_leave_others_alone,
            attempts_made_at_once_pass_the_limit_one_by_one,
            e_mail_notices_are_opt_in,
            mail_is_claimed_until_its_lease_ends_and_retried,
            push_devices_belong_to_whoever_subscribed_last,
            a_push_keeps_its_device_keys_in_the_outbox,
            a_server_key_is_the_first_one_kept,
            a_progress_flag_is_news_once,
            a_token_works_once_before_it_lapses,
            a_token_moves_the_address_unless_it_is_taken,
            a_new_password_ends_every_other_sign_in,
            erasing_a_patient_leaves_nothing_of_theirs,
            erasing_a_clinician_ends_their_access_and_leaves_others_records_whole,
        );
    };
    (@tests $backend:ty; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                if <$backend as $crate::contract::Backend>::skip() {
                    return;
                }
                $crate::contract::$name::<$backend>().await;
            }
        )+
    };
}
pub(crate) use suite;

// ---------------------------------------------------------------------------
// Fixtures. Times have microseconds (what PostgreSQL keeps); the SQLite
// module checks nanoseconds on its own.

/// `minutes` after a fixed morning, with a sub-second part.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
        + Duration::microseconds(123_456)
        + Duration::minutes(minutes)
}

pub fn pain(n: i64) -> PainScore {
    PainScore::new(n).unwrap()
}

pub fn intake() -> Intake {
    Intake::from_json(
        r#"{"age_years": 41, "pain": {"intensity": 4, "duration_days": 12}, "equipment": ["foam_roller"]}"#,
    )
    .unwrap()
}

pub fn screening(minutes: i64) -> ScreeningRecord {
    ScreeningRecord {
        id: Uuid::now_v7(),
        at: at(minutes),
        intake: intake(),
        result: serde_json::json!({"disposition": "self_care", "reasons": [], "score": 1.5}),
        disposition: Disposition::SelfCare,
        pack_version: "midback-1".to_owned(),
        clearance: None,
    }
}

/// A session that began at `at(minutes)`, in progress, without steps.
pub fn open_session(minutes: i64) -> SessionRecord {
    SessionRecord {
        id: Uuid::now_v7(),
        screening_id: Some(Uuid::now_v7()),
        started_at: at(minutes),
        ended_at: None,
        status: SessionStatus::InProgress,
        stop_reason: None,
        plan: Some(serde_json::json!({"steps": [{"id": "roll-upper", "seconds": 60}]})),
        steps: vec![],
        usage: BTreeMap::new(),
        pain_before: pain(5),
        pain_after: None,
        region: Some(Region::Left),
        note: None,
        pack_version: "midback-1".to_owned(),
    }
}

/// A finished session with two steps, begun at `at(minutes)`.
pub fn full_session(minutes: i64) -> SessionRecord {
    let steps = vec![
        step(TechniqueId::FoamRoller, "roll-upper", minutes, 60),
        step(TechniqueId::Hands, "knuckles", minutes + 2, 90),
    ];
    SessionRecord {
        ended_at: Some(at(minutes + 5)),
        status: SessionStatus::Completed,
        usage: BTreeMap::from([(TechniqueId::FoamRoller, 60), (TechniqueId::Hands, 90)]),
        pain_after: Some(pain(3)),
        note: Some("easier after".to_owned()),
        steps,
        ..open_session(minutes)
    }
}

/// A step begun at `at(minutes)`, lasting `seconds` (all active).
pub fn step(technique: TechniqueId, id: &str, minutes: i64, seconds: u32) -> StepDone {
    StepDone {
        technique,
        step_id: id.to_owned(),
        started_at: at(minutes),
        ended_at: at(minutes) + Duration::seconds(i64::from(seconds)),
        active_seconds: seconds,
        outcome: Outcome::Done,
    }
}

pub fn checkin(minutes: i64, week_pain: i64, change: i64) -> CheckIn {
    CheckIn {
        id: Uuid::now_v7(),
        at: at(minutes),
        week_pain: pain(week_pain),
        change: ChangeRating::new(change).unwrap(),
    }
}

pub fn end(minutes: i64, status: SessionStatus) -> SessionEnd {
    SessionEnd {
        ended_at: at(minutes),
        status,
        stop_reason: None,
        pain_after: Some(pain(2)),
        note: Some("done".to_owned()),
    }
}

pub fn summary(s: &SessionRecord) -> SessionSummary {
    SessionSummary {
        id: s.id,
        started_at: s.started_at,
        ended_at: s.ended_at,
        status: s.status,
        usage: s.usage.clone(),
        pain_before: s.pain_before,
        pain_after: s.pain_after,
        region: s.region,
        note: s.note.clone(),
    }
}

/// Somebody else, for the isolation tests.
pub fn stranger() -> PersonId {
    PersonId(Uuid::now_v7())
}

/// A journal with a bit of everything, and an in-progress session.
pub async fn fill<S: Store>(store: &S, person: PersonId) {
    let mut cleared = screening(-60);
    cleared.clearance = Some(Clearance::reported(
        "Dr Okafor".to_owned(),
        chrono::NaiveDate::from_ymd_opt(2025, 2, 27).unwrap(),
    ));
    store.add_screening(person, &screening(0)).await.unwrap();
    store.add_screening(person, &cleared).await.unwrap();
    store.record_session(person, &full_session(60)).await.unwrap();
    store.record_session(person, &full_session(10)).await.unwrap();
    let open = open_session(120);
    store.begin_session(person, &open).await.unwrap();
    store.add_step(person, open.id, &step(TechniqueId::Hands, "knuckles", 121, 30)).await.unwrap();
    let logged = SessionRecord {
        status: SessionStatus::Logged,
        plan: None,
        ended_at: Some(at(95)),
        usage: BTreeMap::from([(TechniqueId::ElectricMassager, 300)]),
        region: None,
        screening_id: None,
        ..open_session(90)
    };
    store.record_session(person, &logged).await.unwrap();
    store.add_checkin(person, &checkin(200, 4, 1)).await.unwrap();
    store.add_checkin(person, &checkin(-200, 6, 0)).await.unwrap();
}

// ---------------------------------------------------------------------------

pub async fn one_screening_by_id_and_the_latest_clearance<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let person = store.local_person().await.unwrap();
    assert_eq!(store.cleared_on(person).await.unwrap(), None);
    let plain = screening(0);
    store.add_screening(person, &plain).await.unwrap();
    assert_eq!(store.cleared_on(person).await.unwrap(), None, "no clearance recorded");
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 2, d).unwrap();
    for (minutes, on) in [(10, day(27)), (20, day(12))] {
        let mut cleared = screening(minutes);
        cleared.clearance = Some(Clearance::reported("Dr Okafor".to_owned(), on));
        store.add_screening(person, &cleared).await.unwrap();
    }
    assert_eq!(
        store.cleared_on(person).await.unwrap(),
        Some(day(27)),
        "the latest day, not the newest screening"
    );
    assert_eq!(store.screening(person, plain.id).await.unwrap(), Some(plain.clone()));
    assert_eq!(store.screening(person, Uuid::now_v7()).await.unwrap(), None);
    assert_eq!(store.screening(stranger(), plain.id).await.unwrap(), None, "not someone else's");
    assert_eq!(store.cleared_on(stranger()).await.unwrap(), None);
}

pub async fn journal_versions_move_with_every_write_a_judgement_reads<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let other = account("other@example.org");
    store.create_account(&other).await.unwrap();
    let version = async |p: PersonId| {
        let found = store.journal_versions(&[p, stranger()]).await.unwrap();
        assert_eq!(found.len(), 1, "persons not there are left out: {found:?}");
        assert_eq!(found[0].0, p);
        found[0].1
    };
    let mut seen = vec![version(pat.person).await];
    let others = version(other.person).await;
    store.add_screening(pat.person, &screening(0)).await.unwrap();
    seen.push(version(pat.person).await);
    let open = open_session(10);
    store.begin_session(pat.person, &open).await.unwrap();
    seen.push(version(pat.person).await);
    store.add_step(pat.person, open.id, &step(TechniqueId::Hands, "knuckles", 11, 30)).await.unwrap();
    seen.push(version(pat.person).await);
    let end = SessionEnd {
        ended_at: at(12),
        status: SessionStatus::Completed,
        stop_reason: None,
        pain_after: Some(pain(2)),
        note: None,
    };
    store.finish_session(pat.person, open.id, &end).await.unwrap();
    seen.push(version(pat.person).await);
    store.record_session(pat.person, &full_session(60)).await.unwrap();
    seen.push(version(pat.person).await);
    store.assign(&assignment(&pat, &doc, 70, &[TechniqueId::Hands])).await.unwrap();
    seen.push(version(pat.person).await);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "every write moves it on: {seen:?}");
    // Reading, checking in and another person's writes do not.
    store.session_summaries(pat.person, Period::default()).await.unwrap();
    store.add_checkin(pat.person, &checkin(80, 3, 1)).await.unwrap();
    store.add_screening(other.person, &screening(90)).await.unwrap();
    assert_eq!(version(pat.person).await, *seen.last().unwrap());
    assert!(version(other.person).await > others);
}

pub async fn local_person_is_stable<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let first = store.local_person().await.unwrap();
    assert_eq!(store.local_person().await.unwrap(), first);
}

pub async fn screenings_newest_first_with_limit<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let (a, b, c) = (screening(0), screening(-30), screening(30));
    for s in [&a, &b, &c] {
        store.add_screening(me, s).await.unwrap();
    }
    assert_eq!(store.screenings(me, 10).await.unwrap(), vec![c.clone(), a.clone(), b]);
    assert_eq!(store.screenings(me, 2).await.unwrap(), vec![c, a]);
    assert!(store.screenings(me, 0).await.unwrap().is_empty());
}

pub async fn screening_write_is_idempotent_and_conflicts<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let s = screening(0);
    store.add_screening(me, &s).await.unwrap();
    store.add_screening(me, &s).await.unwrap();
    assert_eq!(store.screenings(me, 10).await.unwrap(), vec![s.clone()]);
    let changed = ScreeningRecord { disposition: Disposition::SeeDoctorFirst, ..s.clone() };
    let err = store.add_screening(me, &changed).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "screening", id } if id == s.id), "{err:?}");
    assert_eq!(store.screenings(me, 10).await.unwrap(), vec![s]);
}

pub async fn guided_session_begin_steps_finish<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let open = open_session(0);
    store.begin_session(me, &open).await.unwrap();
    assert_eq!(store.session(me, open.id).await.unwrap(), Some(open.clone()));

    let steps = [
        step(TechniqueId::FoamRoller, "roll-upper", 1, 60),
        step(TechniqueId::Hands, "knuckles", 3, 45),
        step(TechniqueId::FoamRoller, "roll-lower", 5, 30),
    ];
    for s in &steps {
        store.add_step(me, open.id, s).await.unwrap();
    }
    let mut expected = open.clone();
    expected.steps = steps.to_vec();
    expected.usage = BTreeMap::from([(TechniqueId::FoamRoller, 90), (TechniqueId::Hands, 45)]);
    assert_eq!(store.session(me, open.id).await.unwrap(), Some(expected.clone()));

    let the_end = end(7, SessionStatus::Completed);
    store.finish_session(me, open.id, &the_end).await.unwrap();
    expected.status = SessionStatus::Completed;
    expected.ended_at = Some(the_end.ended_at);
    expected.pain_after = the_end.pain_after;
    expected.note = the_end.note.clone();
    assert_eq!(store.session(me, open.id).await.unwrap(), Some(expected.clone()));
    assert_eq!(store.session_summaries(me, Period::default()).await.unwrap(), vec![summary(&expected)]);
}

pub async fn add_step_only_to_own_session_in_progress<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let open = open_session(0);
    store.begin_session(me, &open).await.unwrap();
    let s = step(TechniqueId::Hands, "knuckles", 1, 30);

    let err = store.add_step(me, Uuid::now_v7(), &s).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "session" }), "{err:?}");
    let err = store.add_step(stranger(), open.id, &s).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "session" }), "{err:?}");

    store.finish_session(me, open.id, &end(2, SessionStatus::Stopped)).await.unwrap();
    let err = store.add_step(me, open.id, &s).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("in progress")), "{err:?}");

    let logged = SessionRecord { status: SessionStatus::Logged, ended_at: Some(at(20)), ..open_session(10) };
    store.record_session(me, &logged).await.unwrap();
    let err = store.add_step(me, logged.id, &s).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.session(me, open.id).await.unwrap().unwrap().steps, vec![]);

    let backwards = StepDone { ended_at: at(-1), ..s };
    let fresh = open_session(30);
    store.begin_session(me, &fresh).await.unwrap();
    let err = store.add_step(me, fresh.id, &backwards).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("ended_at")), "{err:?}");
}

pub async fn add_step_retry_keeps_one_step<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let open = open_session(0);
    store.begin_session(me, &open).await.unwrap();
    let s = step(TechniqueId::Hands, "knuckles", 1, 30);
    store.add_step(me, open.id, &s).await.unwrap();
    store.add_step(me, open.id, &s).await.unwrap();
    let kept = store.session(me, open.id).await.unwrap().unwrap();
    assert_eq!(kept.steps, vec![s.clone()]);
    assert_eq!(kept.usage, BTreeMap::from([(TechniqueId::Hands, 30)]));
    // The same step later is a second bout, not a retry.
    let again = step(TechniqueId::Hands, "knuckles", 2, 30);
    store.add_step(me, open.id, &again).await.unwrap();
    let kept = store.session(me, open.id).await.unwrap().unwrap();
    assert_eq!(kept.steps, vec![s, again]);
    assert_eq!(kept.usage, BTreeMap::from([(TechniqueId::Hands, 60)]));
}

pub async fn finish_only_from_in_progress<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let err = store.finish_session(me, Uuid::now_v7(), &end(1, SessionStatus::Completed)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "session" }), "{err:?}");

    let mut open = open_session(0);
    open.note = Some("before".to_owned());
    store.begin_session(me, &open).await.unwrap();
    let err = store.finish_session(stranger(), open.id, &end(1, SessionStatus::Completed)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    for bad in [SessionStatus::InProgress, SessionStatus::Logged] {
        let err = store.finish_session(me, open.id, &end(1, bad)).await.unwrap_err();
        assert!(matches!(&err, StoreError::Invalid(m) if m.contains("end.status")), "{err:?}");
    }
    let err = store.finish_session(me, open.id, &end(-1, SessionStatus::Completed)).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("end.ended_at")), "{err:?}");

    // Without a note the end keeps the one given at the start.
    let stop =
        SessionEnd { stop_reason: Some("too sore".to_owned()), note: None, ..end(2, SessionStatus::Stopped) };
    store.finish_session(me, open.id, &stop).await.unwrap();
    // The same end again is a retry: nothing changes.
    store.finish_session(me, open.id, &stop).await.unwrap();
    let err = store.finish_session(me, open.id, &end(3, SessionStatus::Completed)).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("in progress")), "{err:?}");

    let kept = store.session(me, open.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.ended_at, kept.stop_reason.as_deref(), kept.pain_after, kept.note.as_deref()),
        (SessionStatus::Stopped, Some(at(2)), Some("too sore"), Some(pain(2)), Some("before"))
    );
}

pub async fn begin_and_record_are_idempotent_and_conflict<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let open = open_session(0);
    store.begin_session(me, &open).await.unwrap();
    store.begin_session(me, &open).await.unwrap();
    let err =
        store.begin_session(me, &SessionRecord { pain_before: pain(9), ..open.clone() }).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "session", id } if id == open.id), "{err:?}");

    let full = full_session(30);
    store.record_session(me, &full).await.unwrap();
    store.record_session(me, &full).await.unwrap();
    let mut fewer = full.clone();
    fewer.steps.pop();
    let err = store.record_session(me, &fewer).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = store
        .record_session(me, &SessionRecord { plan: Some(serde_json::json!({"other": true})), ..full.clone() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.session(me, full.id).await.unwrap(), Some(full.clone()));
    assert_eq!(
        store.session_summaries(me, Period::default()).await.unwrap(),
        vec![summary(&open), summary(&full)]
    );
}

pub async fn begin_refuses_finished_session<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let err = store.begin_session(me, &full_session(0)).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("session.status")), "{err:?}");
    assert!(store.session_summaries(me, Period::default()).await.unwrap().is_empty());
}

pub async fn invalid_sessions_are_refused<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let ended_open = SessionRecord { ended_at: Some(at(5)), ..open_session(0) };
    let err = store.record_session(me, &ended_open).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("session.ended_at")), "{err:?}");
    let backwards = SessionRecord { ended_at: Some(at(-5)), ..full_session(0) };
    let err = store.record_session(me, &backwards).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("session.ended_at")), "{err:?}");
    let mut bad_step = full_session(0);
    bad_step.steps[1].ended_at = at(-10);
    let err = store.record_session(me, &bad_step).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("session.steps[1].ended_at")), "{err:?}");
    assert!(store.session_summaries(me, Period::default()).await.unwrap().is_empty());
}

pub async fn persons_never_see_each_other<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let other = stranger();
    fill(&store, me).await;
    let mine = store.export(me, at(1000)).await.unwrap();
    let open = mine.sessions.iter().find(|s| s.status == SessionStatus::InProgress).unwrap().clone();

    for s in &mine.sessions {
        assert_eq!(store.session(other, s.id).await.unwrap(), None);
    }
    assert!(store.session_summaries(other, Period::default()).await.unwrap().is_empty());
    assert!(store.screenings(other, 100).await.unwrap().is_empty());
    assert!(store.checkins(other).await.unwrap().is_empty());
    let theirs = store.export(other, at(1000)).await.unwrap();
    assert!(theirs.screenings.is_empty() && theirs.sessions.is_empty() && theirs.checkins.is_empty());
    assert_eq!(store.interrupt_open_sessions(other).await.unwrap(), 0);
    let err = store.add_step(other, open.id, &step(TechniqueId::Hands, "x", 200, 5)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");

    // The same ids written for someone else are refused, never merged.
    let err = store.add_screening(other, &mine.screenings[0]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = store.record_session(other, &mine.sessions[0]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = store.add_checkin(other, &mine.checkins[0]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = store.import(other, &mine).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    // The other person's own records stay theirs.
    let their_checkin = checkin(5, 3, 2);
    store.add_checkin(other, &their_checkin).await.unwrap();
    assert_eq!(store.checkins(other).await.unwrap(), vec![their_checkin]);
    assert_eq!(store.export(me, at(1000)).await.unwrap(), mine);
}

pub async fn interrupt_open_sessions_ends_at_last_step<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let with_steps = open_session(0);
    let without = open_session(30);
    let done = full_session(60);
    store.begin_session(me, &with_steps).await.unwrap();
    store.begin_session(me, &without).await.unwrap();
    store.record_session(me, &done).await.unwrap();
    let first = step(TechniqueId::FoamRoller, "roll-upper", 1, 60);
    let second = step(TechniqueId::Hands, "knuckles", 3, 40);
    store.add_step(me, with_steps.id, &first).await.unwrap();
    store.add_step(me, with_steps.id, &second).await.unwrap();

    assert_eq!(store.interrupt_open_sessions(me).await.unwrap(), 2);
    assert_eq!(store.interrupt_open_sessions(me).await.unwrap(), 0);

    let a = store.session(me, with_steps.id).await.unwrap().unwrap();
    assert_eq!((a.status, a.ended_at), (SessionStatus::Interrupted, Some(second.ended_at)));
    assert_eq!(a.steps, vec![first, second]);
    let b = store.session(me, without.id).await.unwrap().unwrap();
    assert_eq!((b.status, b.ended_at), (SessionStatus::Interrupted, Some(without.started_at)));
    assert_eq!(store.session(me, done.id).await.unwrap(), Some(done));
}

pub async fn summaries_oldest_first_in_period<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let sessions: Vec<SessionRecord> = [50, 10, 40, 20, 30].into_iter().map(full_session).collect();
    for s in &sessions {
        store.record_session(me, s).await.unwrap();
    }
    let mut all: Vec<SessionSummary> = sessions.iter().map(summary).collect();
    all.sort_by_key(|s| s.started_at);
    assert_eq!(store.session_summaries(me, Period::default()).await.unwrap(), all);

    let period = Period { from: Some(at(20)), to: Some(at(40)) };
    assert_eq!(
        store.session_summaries(me, period).await.unwrap(),
        all[1..3].to_vec(),
        "from inclusive, to exclusive"
    );
    let period = Period { from: Some(at(40)), to: None };
    assert_eq!(store.session_summaries(me, period).await.unwrap(), all[3..].to_vec());
    let period = Period { from: None, to: Some(at(20) + Duration::microseconds(1)) };
    assert_eq!(store.session_summaries(me, period).await.unwrap(), all[..2].to_vec());
    let period = Period { from: Some(at(100)), to: None };
    assert!(store.session_summaries(me, period).await.unwrap().is_empty());
}

pub async fn latest_summaries_are_the_newest_with_the_count<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let sessions: Vec<SessionRecord> = [50, 10, 40, 20, 30].into_iter().map(full_session).collect();
    for s in &sessions {
        store.record_session(me, s).await.unwrap();
    }
    store.record_session(stranger(), &full_session(60)).await.unwrap();
    let mut all: Vec<SessionSummary> = sessions.iter().map(summary).collect();
    all.sort_by_key(|s| s.started_at);

    let latest = store.latest_session_summaries(me, Period::default(), 2).await.unwrap();
    assert_eq!(latest, Latest { sessions: all[3..].to_vec(), total: 5 }, "the newest two, oldest first");
    let latest = store.latest_session_summaries(me, Period::default(), 9).await.unwrap();
    assert_eq!(latest, Latest { sessions: all.clone(), total: 5 });
    let period = Period { from: Some(at(20)), to: Some(at(50)) };
    let latest = store.latest_session_summaries(me, period, 1).await.unwrap();
    assert_eq!(latest, Latest { sessions: all[3..4].to_vec(), total: 3 }, "within the period");
    let latest = store.latest_session_summaries(me, Period::default(), 0).await.unwrap();
    assert_eq!(latest, Latest { sessions: vec![], total: 5 });
}

pub async fn summaries_page_after_a_key_within_the_period<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    // Two at the same moment: the id orders them.
    let twin = SessionRecord { id: Uuid::now_v7(), ..full_session(20) };
    let mut sessions: Vec<SessionRecord> = [50, 10, 40, 20, 30].into_iter().map(full_session).collect();
    sessions.push(twin);
    for s in &sessions {
        store.record_session(me, s).await.unwrap();
    }
    store.record_session(stranger(), &full_session(25)).await.unwrap();
    let mut all: Vec<SessionSummary> = sessions.iter().map(summary).collect();
    all.sort_by_key(|s| (s.started_at, s.id));

    let mut read = Vec::new();
    let mut after = None;
    loop {
        let page = store.summaries_page(me, Period::default(), after, 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(SessionKey::of_summary(last));
        read.extend(page);
    }
    assert_eq!(read, all, "pages of two, in order, each session once");
    let period = Period { from: Some(at(20)), to: Some(at(50)) };
    let first = store.summaries_page(me, period, None, 3).await.unwrap();
    assert_eq!(first, all[1..4].to_vec(), "within the period");
    let rest = store.summaries_page(me, period, Some(SessionKey::of_summary(&first[2])), 3).await.unwrap();
    assert_eq!(rest, all[4..5].to_vec(), "the period's end holds");
}

pub async fn pains_are_the_summaries_pain_in_a_few_bytes<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let stopped = SessionRecord {
        status: SessionStatus::Stopped,
        usage: BTreeMap::from([(TechniqueId::Hands, 40)]),
        ..full_session(30)
    };
    for s in [full_session(50), full_session(10), stopped] {
        store.record_session(me, &s).await.unwrap();
    }
    // In progress: no usage yet, no pain after.
    store.begin_session(me, &open_session(70)).await.unwrap();
    store.record_session(stranger(), &full_session(20)).await.unwrap();

    let summaries = store.session_summaries(me, Period::default()).await.unwrap();
    let pains = store.session_pains(me, Period::default()).await.unwrap();
    assert_eq!(pains, summaries.iter().map(SessionPain::from).collect::<Vec<_>>());
    assert_eq!(
        pains.iter().map(|p| (p.status, p.massage_seconds)).collect::<Vec<_>>(),
        [
            (SessionStatus::Completed, 150),
            (SessionStatus::Stopped, 40),
            (SessionStatus::Completed, 150),
            (SessionStatus::InProgress, 0)
        ],
        "the seconds of every technique, summed"
    );
    let period = Period { from: Some(at(30)), to: Some(at(70)) };
    assert_eq!(store.session_pains(me, period).await.unwrap(), pains[1..3].to_vec());
}

pub async fn checkins_oldest_first_idempotent_and_conflict<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let (a, b) = (checkin(100, 3, 2), checkin(0, 6, -1));
    store.add_checkin(me, &a).await.unwrap();
    store.add_checkin(me, &b).await.unwrap();
    store.add_checkin(me, &a).await.unwrap();
    assert_eq!(store.checkins(me).await.unwrap(), vec![b.clone(), a.clone()]);
    let err = store.add_checkin(me, &CheckIn { week_pain: pain(9), ..a.clone() }).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "check-in", id } if id == a.id), "{err:?}");
    assert_eq!(store.checkins(me).await.unwrap(), vec![b, a]);
}

pub async fn export_import_round_trip<B: Backend>() {
    let (_g1, source) = B::fresh().await;
    let me = source.local_person().await.unwrap();
    fill(&source, me).await;
    let journal = source.export(me, at(1000)).await.unwrap();
    assert_eq!((journal.format.as_str(), journal.version), (Journal::FORMAT, Journal::VERSION));
    assert_eq!((journal.screenings.len(), journal.sessions.len(), journal.checkins.len()), (2, 4, 2));
    assert!(journal.screenings.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(journal.sessions.windows(2).all(|w| w[0].started_at <= w[1].started_at));
    assert!(journal.checkins.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(journal.sessions.iter().any(|s| s.steps.len() == 2 && s.plan.is_some()));

    // Through its JSON form too, as a person would carry it.
    let text = serde_json::to_string_pretty(&journal).unwrap();
    let carried: Journal = serde_json::from_str(&text).unwrap();

    let (_g2, target) = B::fresh().await;
    let you = target.local_person().await.unwrap();
    assert_eq!(target.import(you, &carried).await.unwrap(), ImportReport { added: 8, unchanged: 0 });
    let again = target.export(you, at(2000)).await.unwrap();
    assert_eq!(Journal { exported_at: journal.exported_at, ..again }, journal);
    // A second import changes nothing.
    assert_eq!(target.import(you, &carried).await.unwrap(), ImportReport { added: 0, unchanged: 8 });
    // The same records for another person of the target are refused.
    let err = target.import(stranger(), &carried).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
}

pub async fn import_refuses_wrong_format_and_version<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    fill(&store, me).await;
    let journal = store.export(me, at(1000)).await.unwrap();
    let (_g2, target) = B::fresh().await;
    let you = target.local_person().await.unwrap();
    let wrong_format = Journal { format: "something-else".to_owned(), ..journal.clone() };
    let err = target.import(you, &wrong_format).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.starts_with("format:")), "{err:?}");
    let newer = Journal { version: Journal::VERSION + 1, ..journal.clone() };
    let err = target.import(you, &newer).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.starts_with("version:")), "{err:?}");
    let zero = Journal { version: 0, ..journal };
    assert!(matches!(target.import(you, &zero).await.unwrap_err(), StoreError::Invalid(_)));
    let nothing = target.export(you, at(1000)).await.unwrap();
    assert!(nothing.screenings.is_empty() && nothing.sessions.is_empty() && nothing.checkins.is_empty());
}

pub async fn import_conflict_rolls_back_everything<B: Backend>() {
    let (_g1, source) = B::fresh().await;
    let me = source.local_person().await.unwrap();
    fill(&source, me).await;
    let journal = source.export(me, at(1000)).await.unwrap();

    let (_g2, target) = B::fresh().await;
    let you = target.local_person().await.unwrap();
    // The target already has the journal's last check-in, with a different score.
    let last = journal.checkins.last().unwrap();
    let clash = CheckIn { week_pain: pain(10), ..last.clone() };
    target.add_checkin(you, &clash).await.unwrap();
    let before = target.export(you, at(1000)).await.unwrap();

    let err = target.import(you, &journal).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "check-in", id } if id == last.id), "{err:?}");
    assert_eq!(target.export(you, at(1000)).await.unwrap(), before, "nothing of the import was kept");

    // A clash in the middle (a session) rolls back too.
    let (_g3, third) = B::fresh().await;
    let who = third.local_person().await.unwrap();
    let mut changed = journal.sessions[1].clone();
    changed.note = Some("different".to_owned());
    third.record_session(who, &changed).await.unwrap();
    let err = third.import(who, &journal).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "session", .. }), "{err:?}");
    let kept = third.export(who, at(1000)).await.unwrap();
    assert_eq!((kept.screenings.len(), kept.sessions, kept.checkins.len()), (0, vec![changed], 0));
}

pub async fn sub_second_times_come_back_equal<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    // Two sessions a microsecond apart, written newest first.
    let later = SessionRecord { started_at: at(0) + Duration::microseconds(1), ..full_session(0) };
    let earlier = full_session(0);
    store.record_session(me, &later).await.unwrap();
    store.record_session(me, &earlier).await.unwrap();
    let got = store.session_summaries(me, Period::default()).await.unwrap();
    assert_eq!(got, vec![summary(&earlier), summary(&later)]);
    assert_eq!(store.session(me, later.id).await.unwrap(), Some(later));
}

pub async fn any_text_comes_back_as_written<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let awkward = "quote \" backslash \\ new\nline tab\t nul-ish \u{1} émoji 🙂 '; DROP TABLE sessions; --";
    let mut s = full_session(0);
    s.note = Some(awkward.to_owned());
    s.stop_reason = Some(awkward.to_owned());
    s.pack_version = awkward.to_owned();
    s.steps[0].step_id = awkward.to_owned();
    s.plan = Some(serde_json::json!({ "say": awkward, "n": [1.5, -0.0, 1e300, 12345678901234567890u64] }));
    let plain = SessionRecord { note: None, region: None, pain_after: None, ..full_session(10) };
    store.record_session(me, &s).await.unwrap();
    store.record_session(me, &plain).await.unwrap();
    assert_eq!(store.session(me, s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(
        store.session_summaries(me, Period::default()).await.unwrap(),
        vec![summary(&s), summary(&plain)]
    );
    store.record_session(me, &s).await.unwrap();
}

// ---------------------------------------------------------------------------
// Accounts.

fn account(email: &str) -> Account {
    Account {
        person: PersonId(Uuid::now_v7()),
        role: Role::Patient,
        email: email.to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        created_at: at(0),
    }
}

pub async fn accounts_by_email_and_taken_addresses<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let ann = account("ann@example.org");
    store.create_account(&ann).await.unwrap();
    assert_eq!(store.account_by_email("ann@example.org").await.unwrap(), Some(ann.clone()));
    assert_eq!(store.account_by_email("bob@example.org").await.unwrap(), None);

    let again = account("ann@example.org");
    let err = store.create_account(&again).await.unwrap_err();
    assert!(matches!(err, StoreError::Taken { what: "email" }), "{err:?}");
    // Nothing of the refused account was kept: its person has no journal
    // and can still get an account of its own.
    assert_eq!(store.account_by_email("ann@example.org").await.unwrap(), Some(ann.clone()));
    let mut other = again.clone();
    other.email = "other@example.org".to_owned();
    store.create_account(&other).await.unwrap();

    // An account's person keeps a journal of its own.
    store.add_screening(ann.person, &screening(1)).await.unwrap();
    assert_eq!(store.screenings(ann.person, 10).await.unwrap().len(), 1);
    assert!(store.screenings(other.person, 10).await.unwrap().is_empty());
}

pub async fn sign_ins_lapse_and_close<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let ann = account("ann@example.org");
    store.create_account(&ann).await.unwrap();
    let sign_in = SignIn {
        person: ann.person,
        role: Role::Patient,
        csrf: "c".repeat(43),
        created_at: at(0),
        expires_at: at(60),
    };
    store.open_sign_in("aa", &sign_in).await.unwrap();
    assert_eq!(store.sign_in("aa", at(59)).await.unwrap(), Some(sign_in.clone()));
    assert_eq!(store.sign_in("aa", at(60)).await.unwrap(), None, "lapsed at expires_at");
    assert_eq!(store.sign_in("bb", at(1)).await.unwrap(), None, "unknown token");

    // A later sign-in of the same person sweeps the lapsed one away.
    let later = SignIn { created_at: at(120), expires_at: at(180), ..sign_in.clone() };
    store.open_sign_in("bb", &later).await.unwrap();
    assert_eq!(store.sign_in("aa", at(1)).await.unwrap(), None, "lapsed sign-in was removed");
    assert_eq!(store.sign_in("bb", at(121)).await.unwrap(), Some(later));

    store.close_sign_in("bb").await.unwrap();
    assert_eq!(store.sign_in("bb", at(121)).await.unwrap(), None);
    store.close_sign_in("bb").await.unwrap();
}

pub async fn roles_come_back_from_accounts_and_sign_ins<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let ann = account("ann@example.org");
    let cleo = Account { role: Role::Clinician, ..account("cleo@example.org") };
    store.create_account(&ann).await.unwrap();
    store.create_account(&cleo).await.unwrap();
    assert_eq!(store.account_by_email("ann@example.org").await.unwrap().unwrap().role, Role::Patient);
    assert_eq!(store.account_by_email("cleo@example.org").await.unwrap(), Some(cleo.clone()));

    // The role a sign-in comes back with is the account's, whatever was written.
    let sign_in =
        |person, role| SignIn { person, role, csrf: "c".repeat(43), created_at: at(0), expires_at: at(60) };
    store.open_sign_in("aa", &sign_in(cleo.person, Role::Patient)).await.unwrap();
    store.open_sign_in("bb", &sign_in(ann.person, Role::Clinician)).await.unwrap();
    assert_eq!(store.sign_in("aa", at(1)).await.unwrap().unwrap().role, Role::Clinician);
    assert_eq!(store.sign_in("bb", at(1)).await.unwrap().unwrap().role, Role::Patient);
}

// ---------------------------------------------------------------------------
// Sharing.

/// A patient and a clinician with accounts.
async fn pair<S: Accounts>(store: &S) -> (Account, Account) {
    let patient = account("pat@example.org");
    let clinician = Account { role: Role::Clinician, ..account("doc@example.org") };
    store.create_account(&patient).await.unwrap();
    store.create_account(&clinician).await.unwrap();
    (patient, clinician)
}

/// An invitation made at `at(minutes)`, lapsing an hour later.
fn invitation(patient: PersonId, minutes: i64) -> Invitation {
    Invitation { patient, created_at: at(minutes), expires_at: at(minutes + 60) }
}

/// Invite `clinician` at `at(minutes)` with `code` and have them accept a minute later.
async fn share<S: Sharing>(
    store: &S,
    patient: &Account,
    clinician: &Account,
    code: &str,
    minutes: i64,
) -> Grant {
    store.create_invitation(code, &invitation(patient.person, minutes)).await.unwrap();
    store.accept_invitation(code, clinician.person, Uuid::now_v7(), at(minutes + 1)).await.unwrap()
}

/// The audit log as (action, actor's address), newest first.
async fn actions<S: Sharing>(store: &S, patient: PersonId) -> Vec<(AuditAction, String)> {
    store.audit_log(patient, 100).await.unwrap().into_iter().map(|e| (e.action, e.actor_email)).collect()
}

pub async fn an_accepted_invitation_grants_access_to_both_sides<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    assert_eq!(store.live_grant(doc.person, pat.person).await.unwrap(), None);
    store.create_invitation("c1", &invitation(pat.person, 0)).await.unwrap();
    let id = Uuid::now_v7();
    let grant = store.accept_invitation("c1", doc.person, id, at(5)).await.unwrap();
    let expected = Grant {
        id,
        patient: pat.person,
        patient_email: "pat@example.org".to_owned(),
        patient_name: None,
        clinician: doc.person,
        clinician_email: "doc@example.org".to_owned(),
        granted_at: at(5),
        revoked_at: None,
    };
    assert_eq!(grant, expected);
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![expected.clone()]);
    assert_eq!(store.grants_of_clinician(doc.person).await.unwrap(), vec![expected.clone()]);
    assert_eq!(store.live_grant(doc.person, pat.person).await.unwrap(), Some(expected.clone()));
    // Access runs one way only.
    assert_eq!(store.live_grant(pat.person, doc.person).await.unwrap(), None);
    assert!(store.grants_of_clinician(pat.person).await.unwrap().is_empty());
    assert!(store.grants_of_patient(doc.person).await.unwrap().is_empty());

    // A second invitation accepted by the same clinician gives the grant they have.
    store.create_invitation("c2", &invitation(pat.person, 10)).await.unwrap();
    let again = store.accept_invitation("c2", doc.person, Uuid::now_v7(), at(11)).await.unwrap();
    assert_eq!(again, expected);
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![expected.clone()]);

    // The name the patient chose comes with every grant read; none again, their address.
    assert_eq!(store.display_name(pat.person).await.unwrap(), None);
    store.set_display_name(pat.person, Some("Ana Ruiz")).await.unwrap();
    assert_eq!(store.display_name(pat.person).await.unwrap().as_deref(), Some("Ana Ruiz"));
    let named = Grant { patient_name: Some("Ana Ruiz".to_owned()), ..expected.clone() };
    assert_eq!(store.grants_of_clinician(doc.person).await.unwrap(), vec![named.clone()]);
    assert_eq!(store.live_grant(doc.person, pat.person).await.unwrap(), Some(named));
    store.set_display_name(pat.person, None).await.unwrap();
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![expected]);
    assert_eq!(store.display_name(doc.person).await.unwrap(), None, "only the patient's changed");

    let entries = store.audit_log(pat.person, 100).await.unwrap();
    let invited = &entries[3];
    assert_eq!(
        (invited.action, invited.at, invited.actor, invited.patient),
        (AuditAction::Invited, at(0), pat.person, pat.person)
    );
    let granted = &entries[2];
    assert_eq!(
        (granted.action, granted.at, granted.actor, granted.actor_email.as_str()),
        (AuditAction::Granted, at(5), doc.person, "doc@example.org")
    );
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|e| e.id.get_version_num() == 7), "store-made entries have v7 ids");
}

pub async fn an_invitation_is_used_once_and_lapses<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let other = Account { role: Role::Clinician, ..account("other@example.org") };
    store.create_account(&other).await.unwrap();
    let first = share(&store, &pat, &doc, "c1", 0).await;
    let log = store.audit_log(pat.person, 100).await.unwrap();

    // Used: nobody can accept it again, and nothing changes.
    for who in [&doc, &other] {
        let err = store.accept_invitation("c1", who.person, Uuid::now_v7(), at(2)).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound { what: "invitation" }), "{err:?}");
    }
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![first]);
    assert_eq!(store.live_grant(other.person, pat.person).await.unwrap(), None);
    assert_eq!(store.audit_log(pat.person, 100).await.unwrap(), log);

    // Unknown.
    let err = store.accept_invitation("nope", other.person, Uuid::now_v7(), at(2)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "invitation" }), "{err:?}");

    // Lapsed at its expires_at; until then it works.
    store.create_invitation("c2", &invitation(pat.person, 100)).await.unwrap();
    let err = store.accept_invitation("c2", other.person, Uuid::now_v7(), at(160)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "invitation" }), "{err:?}");
    assert_eq!(store.live_grant(other.person, pat.person).await.unwrap(), None);
    let grant = store.accept_invitation("c2", other.person, Uuid::now_v7(), at(159)).await.unwrap();
    assert_eq!(grant.clinician, other.person);

    // An invitation that lapses before it is made is refused.
    let backwards = Invitation { expires_at: at(0), ..invitation(pat.person, 0) };
    let err = store.create_invitation("c3", &backwards).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("invitation.expires_at")), "{err:?}");
}

pub async fn a_patient_cannot_accept_their_own_invitation<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    store.create_invitation("c1", &invitation(pat.person, 0)).await.unwrap();
    let err = store.accept_invitation("c1", pat.person, Uuid::now_v7(), at(1)).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(store.grants_of_patient(pat.person).await.unwrap().is_empty());
    // The invitation was not used up.
    store.accept_invitation("c1", doc.person, Uuid::now_v7(), at(2)).await.unwrap();
}

pub async fn revoking_ends_access_and_is_logged_once<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let grant = share(&store, &pat, &doc, "c1", 0).await;
    store.revoke_grant(pat.person, grant.id, at(30)).await.unwrap();
    assert_eq!(store.live_grant(doc.person, pat.person).await.unwrap(), None);
    assert!(store.grants_of_clinician(doc.person).await.unwrap().is_empty());
    let revoked = Grant { revoked_at: Some(at(30)), ..grant.clone() };
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![revoked.clone()]);

    let expected = vec![
        (AuditAction::Revoked, "pat@example.org".to_owned()),
        (AuditAction::Granted, "doc@example.org".to_owned()),
        (AuditAction::Invited, "pat@example.org".to_owned()),
    ];
    assert_eq!(actions(&store, pat.person).await, expected);
    let newest = &store.audit_log(pat.person, 1).await.unwrap()[0];
    assert_eq!((newest.action, newest.at), (AuditAction::Revoked, at(30)));

    // Again: nothing changes, nothing more is logged.
    store.revoke_grant(pat.person, grant.id, at(40)).await.unwrap();
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![revoked]);
    assert_eq!(actions(&store, pat.person).await, expected);
}

pub async fn only_the_patient_revokes_their_grant<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let grant = share(&store, &pat, &doc, "c1", 0).await;
    for (who, id) in [(doc.person, grant.id), (stranger(), grant.id), (pat.person, Uuid::now_v7())] {
        let err = store.revoke_grant(who, id, at(30)).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound { what: "grant" }), "{err:?}");
    }
    assert_eq!(store.live_grant(doc.person, pat.person).await.unwrap(), Some(grant));
    assert_eq!(store.audit_log(pat.person, 100).await.unwrap().len(), 2);
}

pub async fn a_new_invitation_after_revocation_grants_again<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let old = share(&store, &pat, &doc, "c1", 0).await;
    store.revoke_grant(pat.person, old.id, at(30)).await.unwrap();
    let new = share(&store, &pat, &doc, "c2", 40).await;
    assert_ne!(new.id, old.id);
    assert_eq!((new.granted_at, new.revoked_at), (at(41), None));
    assert_eq!(store.live_grant(doc.person, pat.person).await.unwrap(), Some(new.clone()));
    assert_eq!(store.grants_of_clinician(doc.person).await.unwrap(), vec![new.clone()]);
    let old = Grant { revoked_at: Some(at(30)), ..old };
    assert_eq!(store.grants_of_patient(pat.person).await.unwrap(), vec![new, old]);
}

fn assignment(
    patient: &Account,
    clinician: &Account,
    minutes: i64,
    techniques: &[TechniqueId],
) -> Assignment {
    Assignment {
        id: Uuid::now_v7(),
        patient: patient.person,
        clinician: clinician.person,
        clinician_email: clinician.email.clone(),
        assigned_at: at(minutes),
        techniques: techniques.iter().copied().collect(),
        sessions_per_day: 2,
        days_per_week: 5,
        weeks: 6,
        note: Some("slowly, \"gently\" 🙂".to_owned()),
    }
}

pub async fn the_newest_assignment_is_in_force<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    assert_eq!(store.assignment(pat.person).await.unwrap(), None);
    let later = assignment(&pat, &doc, 20, &[TechniqueId::Hands, TechniqueId::FoamRoller]);
    let earlier =
        Assignment { note: None, weeks: 2, ..assignment(&pat, &doc, 10, &[TechniqueId::ElectricMassager]) };
    store.assign(&later).await.unwrap();
    store.assign(&earlier).await.unwrap();
    assert_eq!(store.assignment(pat.person).await.unwrap(), Some(later.clone()));
    assert_eq!(later.techniques, BTreeSet::from([TechniqueId::FoamRoller, TechniqueId::Hands]));
    let newest = assignment(&pat, &doc, 30, &[]);
    store.assign(&newest).await.unwrap();
    assert_eq!(store.assignment(pat.person).await.unwrap(), Some(newest));
    assert_eq!(store.assignment(doc.person).await.unwrap(), None);
    let logged = store.audit_log(pat.person, 100).await.unwrap();
    assert_eq!(logged.len(), 3);
    assert!(logged.iter().all(|e| e.action == AuditAction::Assigned && e.actor == doc.person));
    assert_eq!(logged[0].at, at(30));
}

pub async fn a_clearance_is_kept_with_its_log_line_once<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let cleared = ScreeningRecord {
        clearance: Some(Clearance::recorded(doc.person, doc.email.clone(), at(40).date_naive())),
        ..screening(40)
    };
    store.clear(pat.person, doc.person, &cleared).await.unwrap();
    store.clear(pat.person, doc.person, &cleared).await.unwrap();
    assert_eq!(store.screening(pat.person, cleared.id).await.unwrap(), Some(cleared.clone()));
    let logged = store.audit_log(pat.person, 100).await.unwrap();
    assert_eq!(logged.len(), 1, "a retry is logged once: {logged:?}");
    assert_eq!((logged[0].action, logged[0].actor, logged[0].at), (AuditAction::Cleared, doc.person, at(40)));
    // Other content under the same id is refused, and nothing more is logged.
    let other = ScreeningRecord { clearance: None, ..cleared };
    assert!(matches!(store.clear(pat.person, doc.person, &other).await, Err(StoreError::Conflict { .. })));
    assert_eq!(store.audit_log(pat.person, 100).await.unwrap().len(), 1);
}

pub async fn a_review_of_a_clearance_is_kept_with_its_log_line_and_a_withdrawn_one_lifts_nothing<
    B: Backend,
>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 2, d).unwrap();
    let with = |minutes: i64, on| ScreeningRecord {
        clearance: Some(Clearance::reported("Dr Okafor".to_owned(), on)),
        ..screening(minutes)
    };
    let (older, newer) = (with(10, day(12)), with(20, day(27)));
    store.add_screening(pat.person, &older).await.unwrap();
    store.add_screening(pat.person, &newer).await.unwrap();
    assert_eq!(store.cleared_on(pat.person).await.unwrap(), Some(day(27)));
    assert_eq!(store.last_withdrawal(pat.person).await.unwrap(), None);

    // Confirmed: kept, and still in force.
    let review = Review { by: doc.person, at: at(30) };
    let confirmed = Clearance { confirmed: Some(review), ..newer.clearance.clone().unwrap() };
    store
        .review_clearance(pat.person, doc.person, newer.id, &confirmed, None, AuditAction::Confirmed, at(30))
        .await
        .unwrap();
    let kept = store.screening(pat.person, newer.id).await.unwrap().unwrap();
    assert_eq!(kept.clearance.as_ref(), Some(&confirmed));
    assert_eq!(store.cleared_on(pat.person).await.unwrap(), Some(day(27)));

    // Withdrawn, with the screening it makes, in one write: the count now
    // starts again at the older clearance.
    let withdrawn = Clearance { withdrawn: Some(Review { by: doc.person, at: at(40) }), ..confirmed };
    let then = screening(40);
    store
        .review_clearance(
            pat.person,
            doc.person,
            newer.id,
            &withdrawn,
            Some(&then),
            AuditAction::Withdrew,
            at(40),
        )
        .await
        .unwrap();
    let kept = store.screening(pat.person, newer.id).await.unwrap().unwrap();
    assert!(!kept.clearance.as_ref().unwrap().in_force(), "{kept:?}");
    assert_eq!(kept.cleared_on(), None);
    assert_eq!(store.screening(pat.person, then.id).await.unwrap(), Some(then));
    assert_eq!(store.cleared_on(pat.person).await.unwrap(), Some(day(12)), "the withdrawn one lifts nothing");
    assert_eq!(store.last_withdrawal(pat.person).await.unwrap(), Some(at(40)));
    let logged = store.audit_log(pat.person, 100).await.unwrap();
    let actions: Vec<_> = logged.iter().map(|e| (e.action, e.actor, e.at)).collect();
    assert_eq!(
        actions,
        [(AuditAction::Withdrew, doc.person, at(40)), (AuditAction::Confirmed, doc.person, at(30))]
    );

    // Only a screening of this patient with a clearance; nothing is kept otherwise.
    let plain = screening(50);
    store.add_screening(pat.person, &plain).await.unwrap();
    for (who, id) in [(pat.person, plain.id), (doc.person, older.id), (pat.person, Uuid::now_v7())] {
        let refused = store
            .review_clearance(who, doc.person, id, &withdrawn, None, AuditAction::Withdrew, at(60))
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound { .. })), "{refused:?}");
    }
    assert_eq!(store.audit_log(pat.person, 100).await.unwrap().len(), 2);
    assert_eq!(store.last_withdrawal(doc.person).await.unwrap(), None);
}

pub async fn acknowledgements_keep_the_latest_through_per_clinician<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let ack = |minutes: i64, through: i64, note: Option<&str>| Acknowledgement {
        id: Uuid::now_v7(),
        patient: pat.person,
        clinician: doc.person,
        at: at(minutes),
        through: at(through),
        note: note.map(str::to_owned),
    };
    assert!(store.acknowledged(doc.person, &[pat.person]).await.unwrap().is_empty());
    let later = ack(50, 40, Some("Phoned them: seen in A&E."));
    store.acknowledge(&ack(30, 10, None)).await.unwrap();
    store.acknowledge(&later).await.unwrap();
    store.acknowledge(&later).await.unwrap();
    // An older one acknowledged after it does not move `through` back.
    store.acknowledge(&ack(60, 20, None)).await.unwrap();
    assert_eq!(store.acknowledged(doc.person, &[pat.person]).await.unwrap(), vec![(pat.person, at(40))]);
    // Another clinician, and a patient not asked about, have none.
    assert!(store.acknowledged(pat.person, &[pat.person]).await.unwrap().is_empty());
    assert!(store.acknowledged(doc.person, &[doc.person]).await.unwrap().is_empty());
    let logged = store.audit_log(pat.person, 100).await.unwrap();
    assert_eq!(logged.len(), 3, "a retry is logged once: {logged:?}");
    assert!(logged.iter().all(|e| e.action == AuditAction::Acknowledged && e.actor == doc.person));
    assert!(logged.iter().all(|e| !e.detail.contains("A&E")), "the note stays out of the log");
}

/// A message from `clinician` to `patient` at `at(minutes)`.
fn message(patient: &Account, clinician: &Account, minutes: i64, text: &str) -> Message {
    Message {
        id: Uuid::now_v7(),
        patient: patient.person,
        clinician: clinician.person,
        clinician_email: clinician.email.clone(),
        author: clinician.person,
        at: at(minutes),
        text: text.to_owned(),
        before_session: false,
        read_at: None,
    }
}

/// A message from `patient` to `clinician` at `at(minutes)`.
fn reply(patient: &Account, clinician: &Account, minutes: i64, text: &str) -> Message {
    Message { author: patient.person, ..message(patient, clinician, minutes, text) }
}

pub async fn messages_newest_first_with_limit<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let (a, b, c) = (
        message(&pat, &doc, 10, "first"),
        message(&pat, &doc, 30, "third"),
        message(&pat, &doc, 20, "two\n🙂"),
    );
    for m in [&a, &b, &c] {
        store.add_message(m).await.unwrap();
    }
    assert_eq!(store.messages(pat.person, None, 10).await.unwrap(), vec![b.clone(), c.clone(), a]);
    assert_eq!(store.messages(pat.person, None, 2).await.unwrap(), vec![b.clone(), c.clone()]);
    assert_eq!(store.messages(pat.person, Some(doc.person), 2).await.unwrap(), vec![b, c]);
    assert!(store.messages(pat.person, None, 0).await.unwrap().is_empty());
    assert!(store.messages(doc.person, None, 10).await.unwrap().is_empty());
    let logged = actions(&store, pat.person).await;
    assert_eq!(logged, vec![(AuditAction::Messaged, "doc@example.org".to_owned()); 3]);
}

pub async fn reading_marks_the_messages_to_the_patient_up_to_a_moment<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let first = Message { before_session: true, ..message(&pat, &doc, 10, "Pause the massage, please.") };
    let answer = reply(&pat, &doc, 20, "Will do.");
    let later = message(&pat, &doc, 30, "Thanks.");
    for m in [&first, &answer, &later] {
        store.add_message(m).await.unwrap();
    }
    store.read_messages(pat.person, None, pat.person, at(25), at(26)).await.unwrap();
    let kept = store.messages(pat.person, None, 10).await.unwrap();
    let read: Vec<(bool, Option<DateTime<Utc>>)> =
        kept.iter().map(|m| (m.before_session, m.read_at)).collect();
    // Newest first: the later one unread, the reply (the patient's own) untouched, the first read then.
    assert_eq!(read, [(false, None), (false, None), (true, Some(at(26)))]);
    // Reading again later does not move the first moment; a retry of a read message is still a retry.
    store.read_messages(pat.person, None, pat.person, at(40), at(41)).await.unwrap();
    let kept = store.messages(pat.person, None, 10).await.unwrap();
    assert_eq!(kept[0].read_at, Some(at(41)));
    assert_eq!(kept[1].read_at, None, "the patient's own reply waits for the clinician");
    assert_eq!(kept[2].read_at, Some(at(26)));
    store.add_message(&first).await.unwrap();
    assert_eq!(store.messages(pat.person, None, 10).await.unwrap().len(), 3);
}

pub async fn each_thread_is_one_clinician_and_the_patient_read_on_both_sides<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let cleo = Account { role: Role::Clinician, ..account("cleo@example.org") };
    store.create_account(&cleo).await.unwrap();
    let (to_doc, to_cleo) = (reply(&pat, &doc, 20, "For doc"), reply(&pat, &cleo, 21, "For cleo"));
    for m in [
        message(&pat, &doc, 10, "From doc"),
        message(&pat, &cleo, 11, "From cleo"),
        message(&pat, &cleo, 12, "From cleo again"),
        to_doc.clone(),
        to_cleo.clone(),
    ] {
        store.add_message(&m).await.unwrap();
    }
    let texts = |ms: Vec<Message>| ms.into_iter().map(|m| m.text).collect::<Vec<_>>();
    assert_eq!(
        texts(store.messages(pat.person, Some(doc.person), 10).await.unwrap()),
        ["For doc", "From doc"]
    );
    assert_eq!(
        texts(store.messages(pat.person, Some(cleo.person), 10).await.unwrap()),
        ["For cleo", "From cleo again", "From cleo"]
    );
    let summary = |who: &Account, unread: u32, newest: i64| ThreadSummary {
        clinician: who.person,
        clinician_email: who.email.clone(),
        unread,
        newest: at(newest),
    };
    assert_eq!(store.threads(pat.person).await.unwrap(), [summary(&cleo, 2, 21), summary(&doc, 1, 20)]);
    let both = [pat.person, doc.person];
    assert_eq!(store.unread_by_clinician(doc.person, &both).await.unwrap(), [(pat.person, 1)]);
    assert_eq!(store.unread_by_clinician(cleo.person, &both).await.unwrap(), [(pat.person, 1)]);

    // The patient reads cleo's thread: doc's stays unread.
    store.read_messages(pat.person, Some(cleo.person), pat.person, at(30), at(31)).await.unwrap();
    assert_eq!(store.threads(pat.person).await.unwrap(), [summary(&cleo, 0, 21), summary(&doc, 1, 20)]);
    // Doc reads their thread: the patient's message to them, not to cleo.
    store.read_messages(pat.person, Some(doc.person), doc.person, at(30), at(32)).await.unwrap();
    assert!(store.unread_by_clinician(doc.person, &both).await.unwrap().is_empty());
    assert_eq!(store.unread_by_clinician(cleo.person, &both).await.unwrap(), [(pat.person, 1)]);
    let doc_thread = store.messages(pat.person, Some(doc.person), 10).await.unwrap();
    assert_eq!(doc_thread[0].read_at, Some(at(32)), "read by its recipient");
    assert_eq!(doc_thread[1].read_at, None, "doc reading does not read doc's own");
    assert_eq!(store.threads(pat.person).await.unwrap()[1].unread, 1, "nor the patient's side");

    // Only the two of a thread read it, and write in it.
    let err =
        store.read_messages(pat.person, Some(doc.person), cleo.person, at(30), at(33)).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref e) if e.contains("reader")), "{err:?}");
    let err = store.read_messages(pat.person, None, doc.person, at(30), at(33)).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref e) if e.contains("reader")), "{err:?}");
    let stranger = Message { author: cleo.person, ..message(&pat, &doc, 40, "Not mine to write") };
    let err = store.add_message(&stranger).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref e) if e.contains("author")), "{err:?}");
    let alone = message(&pat, &pat, 40, "To myself");
    let err = store.add_message(&alone).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref e) if e.contains("clinician")), "{err:?}");
    assert_eq!(store.messages(pat.person, None, 10).await.unwrap().len(), 5);
}

pub async fn writes_with_the_same_id_are_retries_or_conflicts<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        patient: pat.person,
        at: at(5),
        actor: doc.person,
        actor_email: String::new(),
        action: AuditAction::Viewed,
        detail: "sessions".to_owned(),
    };
    let m = message(&pat, &doc, 6, "hello");
    let a = assignment(&pat, &doc, 7, &[TechniqueId::Hands]);
    let inv = invitation(pat.person, 8);
    for _ in 0..2 {
        store.audit(std::slice::from_ref(&entry)).await.unwrap();
        store.add_message(&m).await.unwrap();
        store.assign(&a).await.unwrap();
        store.create_invitation("c1", &inv).await.unwrap();
    }
    let log = store.audit_log(pat.person, 100).await.unwrap();
    let kinds: Vec<AuditAction> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        kinds,
        vec![AuditAction::Invited, AuditAction::Assigned, AuditAction::Messaged, AuditAction::Viewed]
    );
    assert_eq!(log[3], AuditEntry { actor_email: "doc@example.org".to_owned(), ..entry.clone() });

    let err =
        store.audit(&[AuditEntry { detail: "checkins".to_owned(), ..entry.clone() }]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "audit entry", id } if id == entry.id), "{err:?}");
    let err = store.add_message(&Message { text: "changed".to_owned(), ..m.clone() }).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "message", id } if id == m.id), "{err:?}");
    let err = store.assign(&Assignment { weeks: 1, ..a.clone() }).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { what: "assignment", id } if id == a.id), "{err:?}");
    let err = store.create_invitation("c1", &invitation(pat.person, 9)).await.unwrap_err();
    assert!(matches!(err, StoreError::Taken { .. }), "{err:?}");
    assert_eq!(store.audit_log(pat.person, 100).await.unwrap(), log);
    assert_eq!(store.messages(pat.person, None, 10).await.unwrap(), vec![m]);
    assert_eq!(store.assignment(pat.person).await.unwrap(), Some(a));
}

// ---------------------------------------------------------------------------
// Calendar feeds.

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

pub async fn one_live_calendar_feed_per_person<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, other) = pair(&store).await;
    assert_eq!(store.feed_of(pat.person).await.unwrap(), None);
    let first = CalendarFeed {
        person: pat.person,
        times: vec![hm(7, 5), hm(12, 0), hm(23, 59)],
        utc_offset_minutes: -330,
        created_at: at(0),
    };
    store.open_feed("f1", &first).await.unwrap();
    store.open_feed("f1", &first).await.unwrap();
    assert_eq!(store.feed("f1").await.unwrap(), Some(first.clone()));
    assert_eq!(store.feed_of(pat.person).await.unwrap(), Some(first.clone()));
    assert_eq!(store.feed("f2").await.unwrap(), None);

    // Someone else's feed is theirs alone.
    let theirs =
        CalendarFeed { person: other.person, times: vec![], utc_offset_minutes: 60, created_at: at(1) };
    store.open_feed("o1", &theirs).await.unwrap();
    let err = store.open_feed("o1", &first).await.unwrap_err();
    assert!(matches!(err, StoreError::Taken { .. }), "{err:?}");

    // A new feed ends the old one at once.
    let second =
        CalendarFeed { times: vec![hm(8, 30)], utc_offset_minutes: 120, created_at: at(10), ..first.clone() };
    store.open_feed("f2", &second).await.unwrap();
    assert_eq!(store.feed("f1").await.unwrap(), None);
    assert_eq!(store.feed("f2").await.unwrap(), Some(second.clone()));
    assert_eq!(store.feed_of(pat.person).await.unwrap(), Some(second));

    // Seconds would be lost: refused, nothing kept.
    let odd = CalendarFeed { times: vec![hm(9, 0), hm(9, 0) + Duration::seconds(15)], ..first.clone() };
    let err = store.open_feed("f3", &odd).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("feed.times[1]")), "{err:?}");
    assert_eq!(store.feed("f3").await.unwrap(), None);

    store.revoke_feed(pat.person, at(20)).await.unwrap();
    assert_eq!(store.feed("f2").await.unwrap(), None);
    assert_eq!(store.feed_of(pat.person).await.unwrap(), None);
    store.revoke_feed(pat.person, at(21)).await.unwrap();
    assert_eq!(store.feed("o1").await.unwrap(), Some(theirs.clone()));
    assert_eq!(store.feed_of(other.person).await.unwrap(), Some(theirs));
}

/// At most two sessions a day: what a caller's daily limit looks like to
/// the store.
fn two_a_day() -> DayRoom {
    DayRoom { sessions_before: 1, seconds_before: BTreeMap::new() }
}

pub async fn a_day_rule_judges_sessions_sent_at_once_one_by_one<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    // Open the backend's connections first, so the five writes below
    // overlap rather than wait for connections one by one.
    let read = || store.session_summaries(me, Period::default());
    let _ = tokio::join!(read(), read(), read(), read(), read());
    let day = Period { from: Some(at(-60)), to: Some(at(23 * 60)) };
    let sessions: Vec<SessionRecord> = (0..5).map(|i| full_session(i * 10)).collect();
    let room = two_a_day();
    let put = |i: usize| store.record_session_within(me, &sessions[i], day, &room);
    let (a, b, c, d, e) = tokio::join!(put(0), put(1), put(2), put(3), put(4));
    let answers = [a, b, c, d, e];
    let kept: Vec<usize> = (0..5).filter(|i| answers[*i].is_ok()).collect();
    assert_eq!(kept.len(), 2, "{answers:?}");
    for answer in answers.iter().filter(|a| a.is_err()) {
        // What the day held when it was full: the two kept, and their seconds.
        let Err(StoreError::DayFull(held)) = answer else { panic!("{answer:?}") };
        assert_eq!(held.sessions, 2, "{held:?}");
        let seconds: u32 = kept.iter().map(|i| sessions[*i].usage.values().sum::<u32>()).sum();
        assert_eq!(held.seconds.values().sum::<u32>(), seconds, "{held:?}");
    }
    // A refusal keeps nothing: not the session, not its steps.
    let summaries = store.session_summaries(me, Period::default()).await.unwrap();
    let ids: BTreeSet<Uuid> = summaries.iter().map(|s| s.id).collect();
    assert_eq!(ids, kept.iter().map(|i| sessions[*i].id).collect::<BTreeSet<_>>());
    for refused in (0..5).filter(|i| !kept.contains(i)) {
        assert_eq!(store.session(me, sessions[refused].id).await.unwrap(), None);
    }
    // The same session again is kept already: not judged against a full day.
    store.record_session_within(me, &sessions[kept[0]], day, &room).await.unwrap();
    // The rule sees only the day given, and only this person's sessions.
    let next_day = Period { from: Some(at(23 * 60)), to: Some(at(47 * 60)) };
    store.record_session_within(me, &full_session(24 * 60), next_day, &room).await.unwrap();
    let someone = PersonId(Uuid::now_v7());
    for minutes in [0, 10] {
        store.record_session_within(someone, &full_session(minutes), day, &room).await.unwrap();
    }
}

/// A day's room in seconds counts each technique on its own, over the
/// day's sessions only.
pub async fn a_day_room_counts_seconds_by_technique<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let me = store.local_person().await.unwrap();
    let day = Period { from: Some(at(-60)), to: Some(at(23 * 60)) };
    // Each full session uses 60 s of the foam roller and 90 s of hands:
    // the day may hold 90 s of hands before one more, so the second fits
    // exactly (a day at its room is admitted) and the third does not.
    let room = DayRoom {
        sessions_before: 10,
        seconds_before: BTreeMap::from([(TechniqueId::Hands, 90), (TechniqueId::ElectricMassager, 0)]),
    };
    for minutes in [0, 10] {
        store.record_session_within(me, &full_session(minutes), day, &room).await.unwrap();
    }
    let third = full_session(20);
    let answer = store.record_session_within(me, &third, day, &room).await;
    let Err(StoreError::DayFull(held)) = answer else { panic!("{answer:?}") };
    assert_eq!(held.sessions, 2);
    assert_eq!(held.seconds, BTreeMap::from([(TechniqueId::FoamRoller, 120), (TechniqueId::Hands, 180)]));
    assert_eq!(store.session(me, third.id).await.unwrap(), None);
    // The session before the day does not count against it.
    let yesterday = Period { from: Some(at(-25 * 60)), to: Some(at(-60)) };
    store.record_session_within(me, &full_session(-2 * 60), yesterday, &room).await.unwrap();
}

// ---------------------------------------------------------------------------
// Attempts.

/// The limit the attempt tests count to.
const LIMIT: NonZeroU32 = NonZeroU32::new(3).unwrap();

/// Two keys, as the application makes them (SHA-256 in hex).
const ANN: &str = "4b8a7f0e1c0d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";
const BOB: &str = "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e";

/// An attempt under `key` at `at(minutes)`, lapsing `window` minutes later.
async fn attempt_for<S: Attempts>(store: &S, key: &str, minutes: i64, window: i64) -> Attempt {
    store.count_attempt(key, at(minutes), at(minutes + window), LIMIT).await.unwrap()
}

/// An attempt under `key` at `at(minutes)`, lapsing 15 minutes later.
async fn attempt<S: Attempts>(store: &S, key: &str, minutes: i64) -> Attempt {
    attempt_for(store, key, minutes, 15).await
}

/// Refused until the attempt made at `at(minutes)` lapses, 15 minutes on.
fn refused_since(minutes: i64) -> Attempt {
    Attempt::Refused { until: at(minutes + 15) }
}

pub async fn attempts_count_until_the_limit<B: Backend>()
where
    B::S: Attempts,
{
    let (_guard, store) = B::fresh().await;
    for minutes in 0..3 {
        assert_eq!(attempt(&store, ANN, minutes).await, Attempt::Counted, "attempt at {minutes}");
    }
    // When the earliest of the three lapses is named, so the caller can say when to come back.
    assert_eq!(attempt(&store, ANN, 3).await, refused_since(0));
    assert_eq!(attempt(&store, ANN, 14).await, refused_since(0), "a refusal is not counted");
}

pub async fn attempts_lapse_after_their_window<B: Backend>()
where
    B::S: Attempts,
{
    let (_guard, store) = B::fresh().await;
    for minutes in [0, 1, 2] {
        attempt(&store, ANN, minutes).await;
    }
    assert_eq!(attempt(&store, ANN, 10).await, refused_since(0));
    // At 15 the attempt at 0 has lapsed: one more attempt.
    // Had the refusal at 10 been counted, three would still count.
    assert_eq!(attempt(&store, ANN, 15).await, Attempt::Counted);
    assert_eq!(attempt(&store, ANN, 15).await, refused_since(1));
    assert_eq!(attempt(&store, ANN, 16).await, Attempt::Counted);
    // Long after, nothing counts: three more are let through.
    for minutes in [60, 61, 62] {
        assert_eq!(attempt(&store, ANN, minutes).await, Attempt::Counted, "attempt at {minutes}");
    }
    assert_eq!(attempt(&store, ANN, 63).await, refused_since(60));
}

pub async fn each_attempt_lapses_in_its_own_window<B: Backend>()
where
    B::S: Attempts,
{
    let (_guard, store) = B::fresh().await;
    // Ann's attempts last an hour, Bob's a minute: removing Bob's lapsed
    // ones leaves Ann's alone.
    for minutes in [0, 1, 2] {
        attempt_for(&store, ANN, minutes, 60).await;
    }
    for minutes in [0, 1, 2] {
        attempt_for(&store, BOB, minutes, 1).await;
    }
    assert_eq!(attempt_for(&store, BOB, 3, 1).await, Attempt::Counted, "bob's first two have lapsed");
    assert_eq!(attempt_for(&store, ANN, 30, 60).await, Attempt::Refused { until: at(60) });
    assert_eq!(attempt_for(&store, ANN, 60, 60).await, Attempt::Counted);
}

pub async fn forgetting_a_keys_attempts<B: Backend>()
where
    B::S: Attempts,
{
    let (_guard, store) = B::fresh().await;
    for minutes in [0, 1, 2] {
        attempt(&store, ANN, minutes).await;
    }
    assert_eq!(attempt(&store, ANN, 3).await, refused_since(0));
    store.forget_attempts(ANN).await.unwrap();
    for minutes in [4, 5, 6] {
        assert_eq!(attempt(&store, ANN, minutes).await, Attempt::Counted, "attempt at {minutes}");
    }
    assert_eq!(attempt(&store, ANN, 7).await, refused_since(4));
    // Forgetting a key with nothing counted is fine.
    store.forget_attempts(BOB).await.unwrap();
}

pub async fn attempts_of_one_key_leave_others_alone<B: Backend>()
where
    B::S: Attempts,
{
    let (_guard, store) = B::fresh().await;
    for minutes in [0, 1, 2] {
        attempt(&store, ANN, minutes).await;
    }
    assert_eq!(attempt(&store, ANN, 3).await, refused_since(0));
    assert_eq!(attempt(&store, BOB, 3).await, Attempt::Counted, "another key is not refused");
    attempt(&store, BOB, 4).await;
    store.forget_attempts(BOB).await.unwrap();
    assert_eq!(
        attempt(&store, ANN, 5).await,
        refused_since(0),
        "forgetting another key forgets nothing here"
    );
    store.forget_attempts(ANN).await.unwrap();
    assert_eq!(attempt(&store, ANN, 6).await, Attempt::Counted);
    for minutes in [7, 8] {
        assert_eq!(
            attempt(&store, BOB, minutes).await,
            Attempt::Counted,
            "bob's earlier attempts were forgotten"
        );
    }
}

pub async fn attempts_made_at_once_pass_the_limit_one_by_one<B: Backend>()
where
    B::S: Attempts,
{
    let (_guard, store) = B::fresh().await;
    // Open the backend's connections first, so the attempts below overlap
    // rather than wait for connections one by one.
    let warm = || store.forget_attempts(BOB);
    let _ = tokio::join!(warm(), warm(), warm(), warm(), warm());
    let once = || attempt(&store, ANN, 0);
    let (a, b, c, d, e) = tokio::join!(once(), once(), once(), once(), once());
    let answers = [a, b, c, d, e];
    let counted = answers.iter().filter(|a| **a == Attempt::Counted).count();
    assert_eq!(counted, 3, "{answers:?}");
    assert!(answers.iter().all(|a| *a == Attempt::Counted || *a == refused_since(0)), "{answers:?}");
}

// ---------------------------------------------------------------------------
// Erasure.

/// Who [`everything`] made: a patient with one of everything, their
/// clinician, and another patient of that clinician.
pub struct Everyone {
    pub patient: Account,
    pub clinician: Account,
    pub other: Account,
}

/// A patient with one of everything a store keeps (sessions open and
/// finished, screenings, a check-in, a calendar feed, queued mail, a link, an invitation, a
/// grant, a program, messages both ways, an acknowledgement, an audit log),
/// shared with a clinician who also looks after another patient.
pub async fn everything<S: Store + Accounts + Sharing + Calendars + Mailing>(store: &S) -> Everyone {
    let (patient, clinician) = pair(store).await;
    let other = account("other@example.org");
    store.create_account(&other).await.unwrap();
    let me = patient.person;
    store.add_screening(me, &screening(0)).await.unwrap();
    store.record_session(me, &full_session(10)).await.unwrap();
    let open = open_session(30);
    store.begin_session(me, &open).await.unwrap();
    store.add_step(me, open.id, &step(TechniqueId::Hands, "knuckles", 31, 40)).await.unwrap();
    store.add_checkin(me, &checkin(40, 3, 1)).await.unwrap();
    let feed = CalendarFeed { person: me, times: vec![hm(8, 0)], utc_offset_minutes: 60, created_at: at(41) };
    store.open_feed("feed-of-pat", &feed).await.unwrap();
    store.open_sign_in("token-of-pat", &sign_in_of(me, 42)).await.unwrap();
    store.set_email_notices(me, true).await.unwrap();
    store.queue_mail(&mail(&patient, 43)).await.unwrap();
    store.add_push_subscription(me, &device("pat-phone"), at(43), 5).await.unwrap();
    store.flag_noticed(me, "severe:-", at(43)).await.unwrap();
    store.queue_mail(&Mail { to: Recipient::Push(device("pat-phone")), ..mail(&patient, 43) }).await.unwrap();
    store.open_token(&reset_token(&patient, "reset-of-pat", 44)).await.unwrap();
    store.open_sign_in("token-of-doc", &sign_in_of(clinician.person, 42)).await.unwrap();
    for (who, code) in [(&patient, "code-pat"), (&other, "code-other")] {
        share(store, who, &clinician, code, 50).await;
        store.assign(&assignment(who, &clinician, 60, &[TechniqueId::Hands])).await.unwrap();
        store.add_message(&message(who, &clinician, 70, "Please pause the massage.")).await.unwrap();
        store.add_message(&reply(who, &clinician, 71, "Will do.")).await.unwrap();
        let ack = Acknowledgement {
            id: Uuid::now_v7(),
            patient: who.person,
            clinician: clinician.person,
            at: at(80),
            through: at(0),
            note: Some("Seen.".to_owned()),
        };
        store.acknowledge(&ack).await.unwrap();
    }
    Everyone { patient, clinician, other }
}

fn sign_in_of(person: PersonId, minutes: i64) -> SignIn {
    SignIn {
        person,
        role: Role::Patient,
        csrf: "csrf".to_owned(),
        created_at: at(minutes),
        expires_at: at(minutes + 600),
    }
}

pub async fn erasing_a_patient_leaves_nothing_of_theirs<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let Everyone { patient, clinician, other } = everything(&store).await;
    let me = patient.person;
    store.erase(me).await.unwrap();
    store.erase(me).await.unwrap();
    assert_eq!(store.account_by_email(&patient.email).await.unwrap(), None);
    assert_eq!(store.sign_in("token-of-pat", at(43)).await.unwrap(), None);
    assert!(store.screenings(me, 100).await.unwrap().is_empty());
    assert!(store.session_summaries(me, Period::default()).await.unwrap().is_empty());
    assert!(store.checkins(me).await.unwrap().is_empty());
    assert_eq!(store.feed("feed-of-pat").await.unwrap(), None);
    assert!(store.claim_mail(at(100), at(101), 10).await.unwrap().is_empty());
    assert!(store.push_subscriptions(&[me]).await.unwrap().is_empty());
    assert_eq!(store.use_token("reset-of-pat", at(45)).await.unwrap(), None);
    assert_eq!(store.live_grant(clinician.person, me).await.unwrap(), None);
    assert!(store.messages(me, None, 100).await.unwrap().is_empty());
    assert!(store.audit_log(me, 100).await.unwrap().is_empty());
    assert_eq!(store.assignment(me).await.unwrap(), None);
    assert!(store.acknowledged(clinician.person, &[me]).await.unwrap().is_empty());
    // The clinician's list holds the other patient only; their record is whole.
    let grants = store.grants_of_clinician(clinician.person).await.unwrap();
    assert_eq!(grants.iter().map(|g| g.patient).collect::<Vec<_>>(), [other.person]);
    assert_eq!(store.messages(other.person, None, 100).await.unwrap().len(), 2);
    assert!(store.sign_in("token-of-doc", at(43)).await.unwrap().is_some());
    // The address is free again.
    store.create_account(&account(&patient.email)).await.unwrap();
}

pub async fn erasing_a_clinician_ends_their_access_and_leaves_others_records_whole<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let Everyone { patient, clinician, other } = everything(&store).await;
    store.erase(clinician.person).await.unwrap();
    assert_eq!(store.account_by_email(&clinician.email).await.unwrap(), None);
    assert_eq!(store.sign_in("token-of-doc", at(43)).await.unwrap(), None);
    for who in [&patient, &other] {
        assert_eq!(
            store.live_grant(clinician.person, who.person).await.unwrap(),
            None,
            "access ends at once"
        );
        // The patient's record keeps what the clinician wrote in it, with no address.
        let messages = store.messages(who.person, None, 100).await.unwrap();
        assert_eq!(messages.len(), 2);
        let theirs = messages.iter().find(|m| m.author == clinician.person).unwrap();
        assert_eq!(theirs.clinician_email, "");
        assert!(messages.iter().all(|m| m.clinician == clinician.person), "the thread stays theirs");
        let program = store.assignment(who.person).await.unwrap().unwrap();
        assert_eq!(program.clinician_email, "");
        let log = store.audit_log(who.person, 100).await.unwrap();
        assert!(log.iter().any(|e| e.actor == clinician.person && e.actor_email.is_empty()), "{log:?}");
    }
    assert!(store.acknowledged(clinician.person, &[patient.person, other.person]).await.unwrap().is_empty());
}

pub async fn a_new_password_ends_every_other_sign_in<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (pat, doc) = pair(&store).await;
    for token in ["here", "phone", "laptop"] {
        store.open_sign_in(token, &sign_in_of(pat.person, 0)).await.unwrap();
    }
    store.open_sign_in("doc", &sign_in_of(doc.person, 0)).await.unwrap();
    store.set_password(pat.person, "$argon2id$new", Some("here")).await.unwrap();
    assert_eq!(store.account_by_email(&pat.email).await.unwrap().unwrap().password_hash, "$argon2id$new");
    assert!(store.sign_in("here", at(1)).await.unwrap().is_some(), "the sign-in that changed it stays");
    for gone in ["phone", "laptop"] {
        assert_eq!(store.sign_in(gone, at(1)).await.unwrap(), None);
    }
    // Without one to keep (an operator's reset), every sign-in ends.
    store.set_password(pat.person, "$argon2id$reset", None).await.unwrap();
    assert_eq!(store.sign_in("here", at(1)).await.unwrap(), None);
    // Signing out everywhere ends each of a person's sign-ins, no one else's.
    store.open_sign_in("again", &sign_in_of(pat.person, 2)).await.unwrap();
    store.close_sign_ins(pat.person).await.unwrap();
    assert_eq!(store.sign_in("again", at(3)).await.unwrap(), None);
    assert!(store.sign_in("doc", at(3)).await.unwrap().is_some());
    assert_eq!(store.account_by_email(&doc.email).await.unwrap().unwrap().password_hash, doc.password_hash);
}

// Mail.

fn mail(to: &Account, minutes: i64) -> Mail {
    Mail {
        id: Uuid::now_v7(),
        person: to.person,
        to: Recipient::Email(to.email.clone()),
        subject: "You have a new message in Knead".to_owned(),
        body: "Open Knead to read it.".to_owned(),
        queued_at: at(minutes),
    }
}

fn device(name: &str) -> PushSubscription {
    PushSubscription {
        endpoint: format!("https://push.example.org/{name}"),
        p256dh: format!("p256dh-of-{name}"),
        auth: format!("auth-of-{name}"),
    }
}

pub async fn push_devices_belong_to_whoever_subscribed_last<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, clinician) = pair(&store).await;
    let (pat, doc) = (patient.person, clinician.person);
    assert!(store.push_subscriptions(&[pat, doc]).await.unwrap().is_empty());
    for (minutes, name) in [(0, "a"), (1, "b"), (2, "c")] {
        store.add_push_subscription(pat, &device(name), at(minutes), 2).await.unwrap();
    }
    assert_eq!(
        store.push_subscriptions(&[pat]).await.unwrap(),
        [(pat, device("b")), (pat, device("c"))],
        "the newest two are kept, oldest first"
    );
    // The same browser, now signed in as the clinician, with new keys.
    let moved = PushSubscription { p256dh: "new-key".to_owned(), ..device("b") };
    store.add_push_subscription(doc, &moved, at(3), 2).await.unwrap();
    assert_eq!(store.push_subscriptions(&[pat]).await.unwrap(), [(pat, device("c"))]);
    assert_eq!(store.push_subscriptions(&[doc]).await.unwrap(), [(doc, moved.clone())]);
    store.remove_push_subscription(pat, &moved.endpoint).await.unwrap();
    assert_eq!(store.push_subscriptions(&[doc]).await.unwrap().len(), 1, "not the patient's to remove");
    store.remove_push_subscription(doc, &moved.endpoint).await.unwrap();
    store.push_gone(&device("c").endpoint).await.unwrap();
    store.push_gone(&device("c").endpoint).await.unwrap();
    assert!(store.push_subscriptions(&[pat, doc]).await.unwrap().is_empty());
}

pub async fn a_push_keeps_its_device_keys_in_the_outbox<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, _) = pair(&store).await;
    let push = Mail { to: Recipient::Push(device("phone")), ..mail(&patient, 0) };
    store.queue_mail(&push).await.unwrap();
    store.push_gone(&device("phone").endpoint).await.unwrap();
    let claimed = store.claim_mail(at(1), at(2), 10).await.unwrap();
    assert_eq!(claimed.iter().map(|c| &c.mail).collect::<Vec<_>>(), [&push]);
}

pub async fn a_server_key_is_the_first_one_kept<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    assert_eq!(store.server_key("vapid", "first").await.unwrap(), "first");
    assert_eq!(store.server_key("vapid", "second").await.unwrap(), "first");
    assert_eq!(store.server_key("other", "second").await.unwrap(), "second");
}

pub async fn a_progress_flag_is_news_once<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, clinician) = pair(&store).await;
    let pat = patient.person;
    assert!(store.flag_noticed(pat, "severe:-", at(0)).await.unwrap(), "the first is news");
    assert!(!store.flag_noticed(pat, "severe:-", at(1)).await.unwrap(), "told already");
    assert!(store.flag_noticed(pat, "worsening:-", at(2)).await.unwrap(), "another flag is news");
    assert!(store.flag_noticed(clinician.person, "severe:-", at(3)).await.unwrap(), "per patient");
}

fn reset_token(of: &Account, hash: &str, minutes: i64) -> AccountToken {
    AccountToken {
        token_hash: hash.to_owned(),
        person: of.person,
        purpose: TokenPurpose::ResetPassword,
        expires_at: at(minutes + 60),
    }
}

pub async fn e_mail_notices_are_opt_in<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, clinician) = pair(&store).await;
    let both = [patient.person, clinician.person];
    assert!(!store.email_notices(patient.person).await.unwrap(), "off until asked for");
    assert!(store.notice_addresses(&both).await.unwrap().is_empty());
    store.set_email_notices(clinician.person, true).await.unwrap();
    assert!(store.email_notices(clinician.person).await.unwrap());
    assert_eq!(store.notice_addresses(&both).await.unwrap(), [(clinician.person, clinician.email.clone())]);
    store.set_email_notices(clinician.person, false).await.unwrap();
    assert!(store.notice_addresses(&both).await.unwrap().is_empty());
    assert!(!store.email_notices(PersonId(Uuid::now_v7())).await.unwrap(), "an unknown person has none");
}

pub async fn mail_is_claimed_until_its_lease_ends_and_retried<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, clinician) = pair(&store).await;
    let first = mail(&patient, 0);
    let second = mail(&clinician, 1);
    store.queue_mail(&first).await.unwrap();
    store.queue_mail(&first).await.unwrap();
    store.queue_mail(&second).await.unwrap();
    assert!(
        store.claim_mail(at(-1), at(10), 10).await.unwrap().is_empty(),
        "nothing is due before it was queued"
    );
    let claimed = store.claim_mail(at(2), at(10), 1).await.unwrap();
    assert_eq!(claimed.len(), 1, "at most the limit");
    assert_eq!((&claimed[0].mail, claimed[0].attempts), (&first, 1), "oldest first, queued once");
    let rest = store.claim_mail(at(2), at(10), 10).await.unwrap();
    assert_eq!(
        rest.iter().map(|c| &c.mail).collect::<Vec<_>>(),
        [&second],
        "a claimed mail is not claimed again"
    );
    assert!(store.claim_mail(at(9), at(20), 10).await.unwrap().is_empty(), "within the lease");
    // The sender of the first died: its lease ends and another sender takes it.
    store.forget_mail(second.id).await.unwrap();
    let again = store.claim_mail(at(10), at(20), 10).await.unwrap();
    assert_eq!((&again[0].mail, again[0].attempts, again.len()), (&first, 2, 1));
    store.retry_mail(first.id, at(30)).await.unwrap();
    assert!(store.claim_mail(at(29), at(40), 10).await.unwrap().is_empty(), "not before its retry");
    assert_eq!(store.claim_mail(at(30), at(40), 10).await.unwrap()[0].attempts, 3);
    store.forget_mail(first.id).await.unwrap();
    store.forget_mail(first.id).await.unwrap();
    assert!(store.claim_mail(at(100), at(110), 10).await.unwrap().is_empty(), "sent mail is gone");
}

pub async fn a_token_works_once_before_it_lapses<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, _) = pair(&store).await;
    let token = reset_token(&patient, "first", 0);
    store.open_token(&token).await.unwrap();
    let peeked = Some((token.clone(), patient.email.clone()));
    assert_eq!(store.peek_token("first", at(1)).await.unwrap(), peeked);
    assert_eq!(store.peek_token("first", at(1)).await.unwrap(), peeked, "looking uses nothing");
    assert_eq!(store.peek_token("first", at(60)).await.unwrap(), None, "lapsed");
    assert_eq!(store.use_token("first", at(1)).await.unwrap(), Some(token));
    assert_eq!(store.peek_token("first", at(1)).await.unwrap(), None);
    assert_eq!(store.use_token("first", at(2)).await.unwrap(), None, "once");
    store.open_token(&reset_token(&patient, "old", 0)).await.unwrap();
    store.open_token(&reset_token(&patient, "new", 1)).await.unwrap();
    assert_eq!(store.use_token("old", at(2)).await.unwrap(), None, "only the newest link works");
    assert_eq!(store.use_token("new", at(61)).await.unwrap(), None, "lapsed");
    assert_eq!(store.use_token("unknown", at(2)).await.unwrap(), None);
}

pub async fn a_token_moves_the_address_unless_it_is_taken<B: Backend>() {
    let (_guard, store) = B::fresh().await;
    let (patient, clinician) = pair(&store).await;
    let to = |email: &str, hash: &str| AccountToken {
        token_hash: hash.to_owned(),
        person: patient.person,
        purpose: TokenPurpose::ChangeEmail { to: email.to_owned() },
        expires_at: at(60),
    };
    store.open_token(&to(&clinician.email, "taken")).await.unwrap();
    assert!(matches!(store.use_token("taken", at(1)).await, Err(StoreError::Taken { what: "email" })));
    assert!(store.account_by_email(&patient.email).await.unwrap().is_some(), "nothing moved");
    let token = to("new@example.org", "free");
    store.open_token(&token).await.unwrap();
    assert_eq!(store.use_token("free", at(1)).await.unwrap(), Some(token));
    assert_eq!(store.account_by_email(&patient.email).await.unwrap(), None);
    let moved = store.account_by_email("new@example.org").await.unwrap().unwrap();
    assert_eq!(moved.person, patient.person);
}

// ---------------------------------------------------------------------------
// Messages kept before threads (schema version 14), written as version 12
// wrote them; each backend's migration test runs these on a database
// migrated to version 12 and then checks [`threads_from_before_threads`].

/// A patient (…01) who shared with doc (…02) first and cleo (…03) later,
/// and another patient (…04) who never shared.
pub const BEFORE_THREADS: &[&str] = &[
    "INSERT INTO persons (id) VALUES ('0195f3a0-0000-7000-8000-000000000001'), \
     ('0195f3a0-0000-7000-8000-000000000002'), ('0195f3a0-0000-7000-8000-000000000003'), \
     ('0195f3a0-0000-7000-8000-000000000004')",
    "INSERT INTO accounts (person, email, password_hash, created_at, role) VALUES \
     ('0195f3a0-0000-7000-8000-000000000002', 'doc@example.org', 'h', '2025-03-01T07:00:00.000000000Z', 'clinician'), \
     ('0195f3a0-0000-7000-8000-000000000003', 'cleo@example.org', 'h', '2025-03-01T07:00:00.000000000Z', 'clinician')",
    "INSERT INTO grants (id, patient, clinician, granted_at) VALUES \
     ('0195f3a0-0000-7000-8000-0000000000a1', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000002', '2025-03-01T08:00:00.000000000Z'), \
     ('0195f3a0-0000-7000-8000-0000000000a2', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000003', '2025-03-01T08:30:00.000000000Z')",
    // m0: the patient, before any clinician wrote; m1 cleo, m2 the patient;
    // m3 doc, m4 the patient; m5 the patient who never shared.
    "INSERT INTO messages (id, patient, author, at, text) VALUES \
     ('0195f3a0-0000-7000-8000-0000000000b0', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000001', '2025-03-01T08:45:00.000000000Z', 'Hello both'), \
     ('0195f3a0-0000-7000-8000-0000000000b1', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000003', '2025-03-01T09:00:00.000000000Z', 'From cleo'), \
     ('0195f3a0-0000-7000-8000-0000000000b2', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000001', '2025-03-01T09:05:00.000000000Z', 'To cleo'), \
     ('0195f3a0-0000-7000-8000-0000000000b3', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000002', '2025-03-01T09:10:00.000000000Z', 'From doc'), \
     ('0195f3a0-0000-7000-8000-0000000000b4', '0195f3a0-0000-7000-8000-000000000001', \
      '0195f3a0-0000-7000-8000-000000000001', '2025-03-01T09:15:00.000000000Z', 'To doc'), \
     ('0195f3a0-0000-7000-8000-0000000000b5', '0195f3a0-0000-7000-8000-000000000004', \
      '0195f3a0-0000-7000-8000-000000000004', '2025-03-01T09:20:00.000000000Z', 'To no one')",
];

/// After [`BEFORE_THREADS`] and the migration: each message in the thread
/// the migration's comment says.
pub async fn threads_from_before_threads<S: Sharing>(store: &S) {
    let person =
        |n: u8| PersonId(Uuid::parse_str(&format!("0195f3a0-0000-7000-8000-00000000000{n}")).unwrap());
    let (pat, doc, cleo, alone) = (person(1), person(2), person(3), person(4));
    let kept = store.messages(pat, None, 10).await.unwrap();
    let threads: Vec<(&str, PersonId)> = kept.iter().rev().map(|m| (m.text.as_str(), m.clinician)).collect();
    assert_eq!(
        threads,
        [("Hello both", doc), ("From cleo", cleo), ("To cleo", cleo), ("From doc", doc), ("To doc", doc)],
        "a reply goes to the clinician who wrote last before it, else to the first grant's"
    );
    assert!(store.messages(alone, None, 10).await.unwrap().is_empty(), "a reply to no one has no thread");
    let unread: Vec<(PersonId, u32)> =
        store.threads(pat).await.unwrap().iter().map(|t| (t.clinician, t.unread)).collect();
    assert_eq!(unread, [(doc, 1), (cleo, 1)]);
    assert_eq!(
        store.unread_by_clinician(doc, &[pat]).await.unwrap(),
        [(pat, 2)],
        "earlier replies start unread"
    );
    assert_eq!(store.unread_by_clinician(cleo, &[pat]).await.unwrap(), [(pat, 1)]);
}
