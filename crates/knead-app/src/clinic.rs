//! The clinician's side, written once: where each patient stands (what
//! needs attention, pain now, adherence to the program), the list of
//! patients in order of who needs attention first, and one patient's
//! record. Every look is written to the patient's audit log.

use crate::program::Followed;
use crate::progress::Judged;
use crate::{App, Own, Result, Treated, Zone};
use chrono::{DateTime, Days, NaiveDate, Utc};
use knead_core::attention::{self, ADHERENCE_WINDOW_DAYS, Adherence, Concern};
use knead_core::records::{CheckIn, PersonId, ScreeningRecord, SessionSummary};
use knead_core::screening;
use knead_core::vocab::Disposition;
use knead_store::Store;
use knead_store::sharing::{Assignment, Grant, Message, Sharing};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Screenings and messages shown on a patient's record at most.
pub const RECORD_SHOWN: u32 = 50;

/// Judgements kept at most: a clinician's list is a few hundred.
const STANDINGS_KEPT: usize = 50_000;

/// Where one patient stands, from their journal.
#[derive(Debug, Clone)]
pub struct Standing {
    /// What needs attention, most serious first (empty when nothing does).
    pub concerns: Vec<Concern>,
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

/// A patient on a clinician's list: the grant and where they stand.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The access the patient gave.
    pub grant: Grant,
    /// Where they stand (kept between visits while their journal is the same).
    pub standing: Arc<Standing>,
}

/// One patient's record, as their clinician sees it.
#[derive(Debug)]
pub struct Record {
    /// Where they stand.
    pub standing: Standing,
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
        let newest = self.newest_screening().await?;
        let headline = newest.as_ref().map(|s| screening::screen(self.app.pack(), &s.intake).headline);
        let today = judged.today;
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
        let concerns = attention::concerns(
            newest.as_ref().map(|s| s.disposition).zip(headline.as_deref()),
            &judged.assessment.flags,
            week,
        );
        let standing = Standing {
            concerns,
            screening: newest.map(|s| s.disposition),
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
            listed.push(Listed { grant, standing });
        }
        self.log_views(clinician, patients, "summary on their patient list").await?;
        listed.sort_by_key(|l| attention::urgency(&l.standing.concerns));
        Ok(listed)
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// The patient's record on the clinician's `zone`'s today; logged as viewed.
    pub async fn record(&self, zone: Zone) -> Result<Record> {
        let own = self.patient();
        let (standing, judged) = own.standing(zone).await?;
        let record = Record {
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
}
