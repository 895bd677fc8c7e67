//! The clinician's side, written once: where each patient stands (what
//! needs attention, pain now, adherence to the program), the list of
//! patients in order of who needs attention first, one patient's record,
//! and acknowledging a patient's red flags. Every look is written to the
//! patient's audit log.
//!
//! A red flag (a screening that stopped self-care) and a §4 flag (pain
//! worse, severe, or not improving) stay a concern on the clinician's list
//! for the pack's `attention.red_flag_days`, even under a later ordinary
//! screening, a clearance or better pain, until that clinician acknowledges
//! them: what a patient was told to do must not slip by unseen. A §4 flag
//! still in force counts however old it is. Each clinician acknowledges for
//! themselves; clearing the patient counts as having seen what came before.

use crate::program::Followed;
use crate::progress::Judged;
use crate::text::{self, Lines, NOTE_MAX_CHARS};
use crate::{App, Error, Own, Result, Treated, Zone};
use chrono::{DateTime, Days, NaiveDate, Utc};
use knead_core::attention::{self, ADHERENCE_WINDOW_DAYS, Adherence, Concern, RaisedFlag, RaisedPain};
use knead_core::outcomes;
use knead_core::records::{CheckIn, PersonId, ScreeningRecord, SessionPain};
use knead_core::screening;
use knead_core::vocab::Disposition;
use knead_store::sharing::{Acknowledgement, Assignment, Grant, Message, Sharing};
use knead_store::{Latest, Store};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// What a clinician says they saw (see [`Treated::acknowledge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// A screening that stopped self-care, and every flag before it.
    Screening(Uuid),
    /// The §4 flag raised on this day, and every flag before it.
    Pain(NaiveDate),
}

impl Seen {
    /// What names `concern` in an acknowledgement; `None` for one that is
    /// not a flag (sessions missed), which nobody acknowledges.
    pub fn of(concern: &Concern) -> Option<Seen> {
        match concern {
            Concern::RedFlag(flag) => Some(Seen::Screening(flag.screening)),
            Concern::Pain { day, .. } => Some(Seen::Pain(*day)),
            Concern::Missed { .. } => None,
        }
    }
}

/// Screenings and messages shown on a patient's record at most.
pub const RECORD_SHOWN: u32 = 50;

/// Sessions read in full (with their notes) for a patient's record, the
/// newest: a record shows pain by day over the whole journal from the
/// judgement, and these for what a page of sessions can show.
pub const RECORD_SESSIONS: u32 = 200;

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
    /// The §4 flags raised within the pack's `attention.red_flag_days`, or
    /// in force now, newest first.
    pub pain_flags: Vec<RaisedPain>,
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
    /// The messages the patient wrote to this clinician that they have not read.
    pub unread: u32,
}

/// One patient's record, as their clinician sees it.
#[derive(Debug)]
pub struct Record {
    /// Where they stand.
    pub standing: Standing,
    /// What needs this clinician's attention, most serious first.
    pub concerns: Vec<Concern>,
    /// Their pain over time and its §4 judgement.
    pub judged: Judged,
    /// The newest sessions (at most [`RECORD_SESSIONS`]), oldest first,
    /// and how many the journal holds.
    pub sessions: Latest,
    /// Screenings, newest first (at most [`RECORD_SHOWN`]).
    pub screenings: Vec<ScreeningRecord>,
    /// Weekly check-ins, oldest first.
    pub checkins: Vec<CheckIn>,
    /// The newest program and why plans cannot follow it now, if so.
    pub program: Option<(Assignment, Option<String>)>,
    /// The clinician's thread with the patient, newest first (at most
    /// [`RECORD_SHOWN`]), as it stood before this look: a message of the
    /// patient's without `read_at` is new to the clinician. Looking marks
    /// those shown read.
    pub messages: Vec<Message>,
    /// How many of those were new.
    pub unread: u32,
}

/// Standings kept by (patient, zone, day): a judgement is per day.
pub(crate) type Standings = crate::kept::Kept<(PersonId, Zone, NaiveDate), Standing>;

pub(crate) fn standings() -> Arc<Standings> {
    Arc::new(crate::kept::Kept::new(STANDINGS_KEPT))
}

/// Sessions per day in `zone`.
fn per_day(pains: &[SessionPain], zone: Zone) -> BTreeMap<NaiveDate, u32> {
    let mut days = BTreeMap::new();
    for s in pains {
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
        let since = zone.period(since_day(today, days)).from;
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
        // Adherence over the last week (what the list judges) and since the
        // assignment (what the record shows), both to date: today counts as
        // far as it is done.
        let (week, since_assigned) = match self.followed(today).await? {
            Some(Followed { program: Ok(p), start }) => {
                let days = per_day(&judged.pains, zone);
                let done = |d: NaiveDate| days.get(&d).copied().unwrap_or(0);
                let week_from = today - Days::new(u64::from(ADHERENCE_WINDOW_DAYS));
                (
                    Some(attention::adherence_to_date(&p, start, week_from, today, done)),
                    Some(attention::adherence_to_date(&p, start, start, today, done)),
                )
            }
            _ => (None, None),
        };
        let pain_flags = self.raised_pain(&judged, &screenings, since_day(today, days), zone);
        let standing = Standing {
            red_flags,
            pain_flags,
            screening: newest,
            current_tenths: judged.assessment.current_tenths,
            baseline: judged.assessment.baseline,
            week,
            since_assigned,
            last_session: judged.pains.last().map(|s| s.started_at),
        };
        Ok((standing, judged))
    }

    /// The §4 flags raised since `from` (judged period by period between
    /// the clearances on the `screenings` read), and those in force now.
    /// Each is dated by the last session of the day it was raised (the one
    /// that raised it or a later one), or the start of that day when time
    /// passing raised it (no improvement): an acknowledgement made after
    /// that covers it.
    fn raised_pain(
        &self,
        judged: &Judged,
        screenings: &[ScreeningRecord],
        from: NaiveDate,
        zone: Zone,
    ) -> Vec<RaisedPain> {
        let clearances: Vec<NaiveDate> =
            screenings.iter().filter_map(ScreeningRecord::cleared_on).chain(judged.cleared_on).collect();
        let rules = &self.app.pack().escalation;
        outcomes::raised(rules, &judged.readings, judged.today, &clearances)
            .into_iter()
            .filter(|(day, flag)| *day >= from || judged.assessment.flags.contains(flag))
            .map(|(day, flag)| {
                let last_session =
                    judged.pains.iter().rev().map(|s| s.started_at).find(|at| zone.day(*at) == day);
                let at = last_session.or(zone.period(day).from).unwrap_or_else(|| self.app.now());
                RaisedPain { day, at, flag }
            })
            .collect()
    }
}

/// The first day within `days` of `today`.
fn since_day(today: NaiveDate, days: u32) -> NaiveDate {
    today - Days::new(u64::from(days))
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
        let unread: HashMap<PersonId, u32> =
            self.store.unread_by_clinician(clinician, &patients).await?.into_iter().collect();
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
            let unread = unread.get(&grant.patient).copied().unwrap_or(0);
            listed.push(Listed { grant, standing, concerns, unread });
        }
        self.log_views(clinician, patients, "summary on their patient list").await?;
        listed.sort_by_key(|l| attention::urgency(&l.concerns));
        Ok(listed)
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// The patient's record on the clinician's `zone`'s today, with the
    /// clinician's thread only; logged as viewed. The patient's messages
    /// shown are read by the clinician from then on.
    pub async fn record(&self, zone: Zone) -> Result<Record> {
        let own = self.patient();
        let (standing, judged) = own.standing(zone).await?;
        let acknowledged = self.app.store.acknowledged(self.grant.clinician, &[own.person()]).await?;
        let (patient, clinician) = (self.grant.patient, self.grant.clinician);
        let messages = self.app.store.messages(patient, Some(clinician), RECORD_SHOWN).await?;
        let unread = messages.iter().filter(|m| m.by_patient() && m.read_at.is_none()).count();
        let record = Record {
            concerns: standing.concerns(acknowledged.first().map(|(_, through)| *through)),
            standing,
            judged,
            sessions: own.latest_sessions(RECORD_SESSIONS).await?,
            screenings: own.screenings(RECORD_SHOWN).await?,
            checkins: own.checkins().await?,
            program: own.program().await?,
            unread: u32::try_from(unread).unwrap_or(u32::MAX),
            messages,
        };
        if let Some(newest) = record.messages.first() {
            let now = self.app.now();
            self.app
                .store
                .read_messages(patient, Some(clinician), clinician, newest.at.min(now), now)
                .await?;
        }
        self.log_view("record").await?;
        Ok(record)
    }

    /// The clinician acknowledges the patient's flags up to and including
    /// `seen` (a screening that stopped self-care, or the day a §4 flag was
    /// raised, in the clinician's `zone`), with an optional `note`: those
    /// flags no longer put the patient first on this clinician's list; a
    /// newer one does again. Audited.
    pub async fn acknowledge(&self, seen: Seen, note: Option<&str>, zone: Zone) -> Result<Acknowledgement> {
        let own = self.patient();
        let through = match seen {
            Seen::Screening(id) => {
                let Some(flagged) = own.screening(id).await? else {
                    return Err(Error::invalid("screening", "not a screening of this patient"));
                };
                if flagged.disposition < Disposition::SeeDoctorFirst {
                    return Err(Error::invalid(
                        "screening",
                        "this screening raised no red flag; allowed: one that said emergency, urgent or see a \
                         doctor first",
                    ));
                }
                flagged.at
            }
            Seen::Pain(day) => {
                let standing = own.standing(zone).await?.0;
                let Some(raised) = standing.pain_flags.iter().find(|p| p.day == day) else {
                    return Err(Error::invalid(
                        "pain_day",
                        format!(
                            "no pain flag of this patient was raised on {day}; allowed: a day a concern names"
                        ),
                    ));
                };
                raised.at
            }
        };
        let note = text::optional("note", note, NOTE_MAX_CHARS, Lines::Many)?;
        self.acknowledged(through, note).await
    }

    /// Keep an acknowledgement of everything raised up to `through`.
    pub(crate) async fn acknowledged(
        &self,
        through: DateTime<Utc>,
        note: Option<String>,
    ) -> Result<Acknowledgement> {
        let ack = Acknowledgement {
            id: Uuid::now_v7(),
            patient: self.patient().person(),
            clinician: self.grant.clinician,
            at: self.app.now(),
            through,
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
