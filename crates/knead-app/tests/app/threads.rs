//! Messages in threads: a patient with two clinicians writes to each
//! apart; each clinician sees their thread only, and the unread counts go
//! up and back to 0 as each side reads.

use crate::support::{World, day, world};
use knead_app::Zone;
use knead_app::attempts::Client;
use knead_core::records::PersonId;
use knead_store::accounts::{Account, Accounts, Role};
use knead_store::sharing::Message;
use std::net::{IpAddr, Ipv4Addr};

const UTC: Zone = Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap());

/// A clinician's account at `email`, given access to the world's person.
async fn clinician(w: &World, email: &str) -> PersonId {
    let person = PersonId(uuid::Uuid::now_v7());
    let account = Account {
        person,
        role: Role::Clinician,
        email: email.to_owned(),
        password_hash: "$argon2id$test".to_owned(),
        created_at: w.app.now(),
    };
    w.store.create_account(&account).await.unwrap();
    let code = w.app.patient(w.person).invite().await.unwrap().code;
    w.app.accept(person, &code, Client::new(IpAddr::V4(Ipv4Addr::LOCALHOST))).await.unwrap();
    person
}

/// The field a refusal names, if it is one of bad input.
fn field(e: &knead_app::Error) -> Option<&str> {
    match e {
        knead_app::Error::Invalid { field, .. } => Some(field),
        _ => None,
    }
}

fn texts(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.text.as_str()).collect()
}

#[tokio::test]
async fn each_clinician_has_their_own_thread_and_both_sides_read() {
    let w = world(day("2026-11-20")).await;
    let (doc, cleo) = (clinician(&w, "doc@example.org").await, clinician(&w, "cleo@example.org").await);
    let own = w.app.patient(w.person);
    let (app, person) = (&w.app, w.person);
    let treated = |c| async move { app.treating(c, person).await.unwrap().unwrap() };
    let unread_for = |c: PersonId| async move {
        let listed = app.patients(c, UTC).await.unwrap();
        listed.iter().find(|l| l.grant.patient == person).unwrap().unread
    };

    // Before anyone writes: a thread with each, empty and open.
    let threads = own.threads(10).await.unwrap();
    assert_eq!(threads.len(), 2);
    assert!(threads.iter().all(|t| t.open && t.unread == 0 && t.messages.is_empty()));

    treated(doc).await.message("Pause the massage, please.", true).await.unwrap();
    treated(cleo).await.message("How was the week?", false).await.unwrap();
    let counts = |threads: Vec<knead_app::sharing::Thread>| {
        let mut c: Vec<(PersonId, u32)> = threads.iter().map(|t| (t.clinician, t.unread)).collect();
        c.sort();
        c
    };
    let mut both = vec![(doc, 1), (cleo, 1)];
    both.sort();
    assert_eq!(counts(own.threads(10).await.unwrap()), both);
    // Doc's message holds the plan back, whichever thread it is in.
    let refused = own.check_messages_read().await.unwrap_err();
    assert_eq!(refused.refusal().map(|r| r.kind), Some("read-messages-first"));

    // With two clinicians, a reply says whom it is for.
    let refused = own.reply(None, "Which of you?").await.unwrap_err();
    assert_eq!(field(&refused), Some("clinician"), "{refused:?}");
    let stranger = PersonId(uuid::Uuid::now_v7());
    let refused = own.reply(Some(stranger), "Hello?").await.unwrap_err();
    assert_eq!(field(&refused), Some("clinician"), "{refused:?}");
    own.reply(Some(doc), "Paused. Thanks!").await.unwrap();
    assert_eq!((unread_for(doc).await, unread_for(cleo).await), (1, 0));

    // Each clinician's record holds their thread only; looking reads it.
    let record = treated(doc).await.record(UTC).await.unwrap();
    assert_eq!(texts(&record.messages), ["Paused. Thanks!", "Pause the massage, please."]);
    assert_eq!(record.unread, 1);
    assert_eq!(unread_for(doc).await, 0);
    let record = treated(cleo).await.record(UTC).await.unwrap();
    assert_eq!(texts(&record.messages), ["How was the week?"], "the reply to doc is not cleo's");
    assert_eq!(record.unread, 0);

    // The patient reads doc's thread: cleo's stays unread, and the plan is free.
    own.read_messages(Some(doc), None).await.unwrap();
    let mut after = vec![(doc, 0), (cleo, 1)];
    after.sort();
    assert_eq!(counts(own.threads(10).await.unwrap()), after);
    own.check_messages_read().await.unwrap();
    own.read_messages(None, None).await.unwrap();
    assert!(own.threads(10).await.unwrap().iter().all(|t| t.unread == 0));

    // Cleo's access ends: her thread stays, closed; a reply now has one to go to.
    let cleo_grant = own.grants().await.unwrap().into_iter().find(|g| g.clinician == cleo).unwrap();
    own.revoke(cleo_grant.id).await.unwrap();
    let threads = own.threads(10).await.unwrap();
    assert!(threads.iter().any(|t| t.clinician == cleo && !t.open && t.messages.len() == 1));
    let refused = own.reply(Some(cleo), "Still there?").await.unwrap_err();
    assert_eq!(field(&refused), Some("clinician"));
    let sent = own.reply(None, "Only you now.").await.unwrap();
    assert_eq!(sent.clinician, doc);
}
