//! The sender each server runs: every [`POLL`], what the application
//! queued is sent ([`App::deliver_due`]), e-mail through the operator's
//! mail server ([`crate::mailer`]) and pushes through the devices' push
//! services ([`crate::push`]). Several servers send from one outbox
//! without sending a mail twice (see [`knead_store::mail`]).

use crate::mailer::MailSettings;
use crate::push::PushSettings;
use knead_app::App;
use knead_app::outbox::{Transport, Unsent};
use knead_store::any::AnyStore;
use knead_store::mail::{Mail, Recipient};
use std::time::Duration;

/// How often a server looks for mail to send.
pub const POLL: Duration = Duration::from_secs(2);

/// The ways out this server has.
struct Outgoing {
    app: App<AnyStore>,
    store: AnyStore,
    mail: Option<MailSettings>,
    push: Option<PushSettings>,
}

impl Transport for Outgoing {
    async fn send(&self, mail: &Mail) -> Result<(), Unsent> {
        // A mail queued while this server had a way out that it has no
        // more (its operator took the setting away) waits for one.
        let off = |way: &str| Unsent::Later(format!("this server sends no {way}"));
        match (&mail.to, &self.mail, &self.push) {
            (Recipient::Email(to), Some(settings), _) => settings.send(mail, to).await,
            (Recipient::Push(device), _, Some(settings)) => {
                settings.send(&self.store, device, mail.body.as_bytes()).await
            }
            (Recipient::Email(_), None, _) => Err(off("e-mail")),
            (Recipient::Push(_), _, None) => Err(off("pushes")),
        }
    }
}

/// Send what `app` queued, by `mail` and `push`, every [`POLL`], for as
/// long as the runtime lasts; `store` is `app`'s (it keeps the push key).
pub async fn run(
    app: App<AnyStore>,
    store: AnyStore,
    mail: Option<MailSettings>,
    push: Option<PushSettings>,
) {
    let outgoing = Outgoing { app, store, mail, push };
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = outgoing.app.deliver_due(&outgoing).await {
            tracing::warn!(error = %e, "sending mail failed; trying again shortly");
        }
    }
}
