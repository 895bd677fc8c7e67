//! The clinician's side, written once: where each patient stands (what
//! needs attention, pain now, adherence to the program), the list of
//! patients in order of who needs attention first, one patient's record,
//! and acknowledging a patient's red flags. Every look is written to the
//! patient's audit log.
//!
//! A red flag (a screening that stopped self-care) stays a concern on the
//! clinician's list for the pack's `attention.red_flag_days`, even under a
//! later ordinary screening, until that clinician acknowledges it: what a
//! patient was told to do in an emergency must not slip by unseen. Each
//! clinician acknowledges for themselves.

use crate::program::Followed;
use crate::progress::Judged;
use crate::text::{self, Lines, NOTE_MAX_CHARS};
use crate::{App, Error, Own, Result, Treated, Zone};
use chrono::{DateTime, Days, NaiveDate, Utc};
use knead_core::attention::{self, ADHERENCE_WINDOW_DAYS, Adherence, Concern, RaisedFlag};
use knead_core::outcomes::Flag;
use knead_core::records::{CheckIn, PersonId, ScreeningRecord, SessionSummary};
use knead_core::screening;
use knead_core::vocab::Disposition;
use knead_store::Store;
use knead_store::sharing::{Acknowledgement, Assignment, Grant, Message, Sharing};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// Screenings and messages shown on a patient's record at most.
pub const RECORD_SHOWN: u32 = 50;

/// Screenings read for red flags at most (a person screens before each
/// session: a few a day over the pack's days is well under this).
const RED_FLAG_SCAN: u32 = 500;

/// Judgements kept at most: a clinician's list is a few hundred.
const STANDINGS_KEPT: usize = 50_000;

/// Where one patient stands, from their journal (the same for every
/// clinician: what each has acknowledged is applied by [`Standing::concerns`]).
#[derive(Debug, Clone)]
pub struct Standing {
    /// The screenings that stopped self-care within the pack's
    /// `attention.red_flag_days`, newest first.
    pub red_flags: Vec<RaisedFlag>,
    /// The §4 flags of the judgement.
    pub pain_flags: Vec<Flag>,
    /// The newest screening's disposition.
    pub screening: Option<Disposition>,
    /// Typical pain now, in tenths.
    pub current_tenths: Option<u32>,
    /// Pain at the start.
    pub baseline: Option<u8>,
    /// Sessions done against assigned in the 7 days before today, when a
    /// program is in force.
    pub week: Option<Adherence>,
    /// Sessions done against assigned from the program's first day through today.
    pub since_assigned: Option<Adherence>,
    /// The newest session.
    pub last_session: Option<DateTime<Utc>>,
}

impl Standing {
    /// What needs the attention of a clinician who acknowledged red flags
    /// up to `acknowledged_through`, most serious first (empty when nothing does).
    pub fn concerns(&self, acknowledged_through: Option<DateTime<Utc>>) -> Vec<Concern> {
        attention::concerns(&self.red_flags, acknowledged_through, &self.pain_flags, self.week)
    }
}

/// A patient on a clinician's list: the grant, where they stand, and what
/// needs this clinician's attention.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The access the patient gave.
    pub grant: Grant,
    /// Where they stand (kept between visits while their journal is the same).
    pub standing: Arc<Standing>,
    /// What needs attention, most serious first.
    pub concerns: Vec<Concern>,
}

/// One patient's record, as their clinician sees it.
#[derive(Debug)]
pub struct Record {
    /// Where they stand.
    pub standing: Standing,
    /// What needs this clinician's attention, most serious first.
    pub concerns: Vec<Concern>,
    /// Their pain over time and its §4 judgement (with every session).
    pub judged: Judged,
    /// Screenings, newest first (at most [`RECORD_SHOWN`]).
    pub screenings: Vec<ScreeningRecord>,
    /// Weekly check-ins, oldest first.
    pub checkins: Vec<CheckIn>,
    /// The newest program and why plans cannot follow it now, if so.
    pub program: Option<(Assignment, Option<String>)>,
    /// Messages, newest first (at most [`RECORD_SHOWN`]).
    pub messages: Vec<Message>,
}

/// Standings kept by (patient, zone, day): a judgement is per day.
pub(crate) type Standings = crate::kept::Kept<(PersonId, Zone, NaiveDate), Standing>;

pub(crate) fn standings() -> Arc<Standings> {
    Arc::new(crate::kept::Kept::new(STANDINGS_KEPT))
}

/// Sessions per day in `zone`.
fn per_day(sessions: &[SessionSummary], zone: Zone) -> BTreeMap<NaiveDate, u32> {
    let mut days = BTreeMap::new();
    for s in sessions {
        *days.entry(zone.day(s.started_at)).or_default() += 1;
    }
    days
}

impl<S: Store + Sharing> Own<'_, S> {
    /// Where the person stands on their `zone`'s today, and the judgement
    /// it was made from.
    async fn standing(&self, zone: Zone) -> Result<(Standing, Judged)> {
        let judged = self.judge(zone).await?;
        let today = judged.today;
        let days = self.app.pack().escalation.red_flag_days.value;
        let since = zone.period(today - Days::new(u64::from(days))).from;
        let screenings = self.screenings(RED_FLAG_SCAN).await?;
        let newest = screenings.first().map(|s| s.disposition);
        let red_flags = screenings
            .iter()
            .take_while(|s| since.is_none_or(|since| s.at >= since))
            .filter(|s| s.disposition >= Disposition::SeeDoctorFirst)
            .map(|s| RaisedFlag {
                screening: s.id,
                at: s.at,
                disposition: s.disposition,
                headline: screening::screen(self.app.pack(), &s.intake).headline,
            })
            .collect();
        // Adherence over the week before today (what the list judges), and
        // from the assignment through today (what the record shows).
        let (week, since_assigned) = match self.followed(today).await? {
            Some(Followed { program: Ok(p), start }) => {
                let days = per_day(&judged.sessions, zone);
                let done = |d: NaiveDate| days.get(&d).copied().unwrap_or(0);
                let week_from = today - Days::new(u64::from(ADHERENCE_WINDOW_DAYS));
                (
                    Some(attention::adherence(&p, start, week_from, today - Days::new(1), done)),
                    Some(attention::adherence(&p, start, start, today, done)),
                )
            }
            _ => (None, None),
        };
        let standing = Standing {
            red_flags,
            pain_flags: judged.assessment.flags.clone(),
            screening: newest,
            current_tenths: judged.assessment.current_tenths,
            baseline: judged.assessment.baseline,
            week,
            since_assigned,
            last_session: judged.sessions.last().map(|s| s.started_at),
        };
        Ok((standing, judged))
    }
}

impl<S: Store + Sharing> App<S> {
    /// `clinician`'s patients on their `zone`'s today, most in need of
    /// attention first. A patient is judged again only when their journal
    /// or the day changed (see [`crate::kept`]). Writes one `viewed` line
    /// to each patient's audit log.
    pub async fn patients(&self, clinician: PersonId, zone: Zone) -> Result<Vec<Listed>> {
        let grants = self.store.grants_of_clinician(clinician).await?;
        let patients: Vec<PersonId> = grants.iter().map(|g| g.patient).collect();
        // Versions first: a write after this makes what is judged below stale.
        let versions: HashMap<PersonId, i64> =
            self.store.journal_versions(&patients).await?.into_iter().collect();
        let acknowledged: HashMap<PersonId, DateTime<Utc>> =
            self.store.acknowledged(clinician, &patients).await?.into_iter().collect();
        let today = zone.day(self.now());
        let mut listed = Vec::with_capacity(grants.len());
        for grant in grants {
            let version = versions.get(&grant.patient).copied().unwrap_or_default();
            let key = (grant.patient, zone, today);
            let standing = match self.standings.get(&key, version) {
                Some(standing) => standing,
                None => {
                    let standing = Arc::new(self.patient(grant.patient).standing(zone).await?.0);
                    self.standings.put(key, version, 1, Arc::clone(&standing));
                    standing
                }
            };
            let concerns = standing.concerns(acknowledged.get(&grant.patient).copied());
            listed.push(Listed { grant, standing, concerns });
        }
        self.log_views(clinician, patients, "summary on their patient list").await?;
        listed.sort_by_key(|l| attention::urgency(&l.concerns));
        Ok(listed)
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// The patient's record on the clinician's `zone`'s today; logged as viewed.
    pub async fn record(&self, zone: Zone) -> Result<Record> {
        let own = self.patient();
        let (standing, judged) = own.standing(zone).await?;
        let acknowledged = self.app.store.acknowledged(self.grant.clinician, &[own.person()]).await?;
        let record = Record {
            concerns: standing.concerns(acknowledged.first().map(|(_, through)| *through)),
            standing,
            judged,
            screenings: own.screenings(RECORD_SHOWN).await?,
            checkins: own.checkins().await?,
            program: own.program().await?,
            messages: own.messages(RECORD_SHOWN).await?,
        };
        self.log_view("record").await?;
        Ok(record)
    }

    /// The clinician acknowledges the patient's red flags up to and
    /// including their screening `screening` (one that stopped self-care),
    /// with an optional `note`: those flags no longer put the patient first
    /// on this clinician's list; a newer one does again. Audited.
    pub async fn acknowledge(&self, screening: Uuid, note: Option<&str>) -> Result<Acknowledgement> {
        let own = self.patient();
        let Some(flagged) = own.screening(screening).await? else {
            return Err(Error::invalid("screening", "not a screening of this patient"));
        };
        if flagged.disposition < Disposition::SeeDoctorFirst {
            return Err(Error::invalid(
                "screening",
                "this screening raised no red flag; allowed: one that said emergency, urgent or see a doctor first",
            ));
        }
        let note = text::optional("note", note, NOTE_MAX_CHARS, Lines::Many)?;
        let ack = Acknowledgement {
            id: Uuid::now_v7(),
            patient: own.person(),
            clinician: self.grant.clinician,
            at: self.app.now(),
            through: flagged.at,
            note,
        };
        self.app.store.acknowledge(&ack).await?;
        Ok(ack)
    }

    /// One of the patient's screenings, to read its answers and the rules
    /// that fired; logged as viewed. Not the patient's: [`Error::NotFound`].
    pub async fn screening(&self, id: Uuid) -> Result<ScreeningRecord> {
        let found = self.patient().screening(id).await?.ok_or(Error::NotFound)?;
        self.log_view("screening").await?;
        Ok(found)
    }
}
