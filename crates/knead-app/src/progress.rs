//! Is it helping? The person's pain over time, judged by §4 of the
//! screening reference (knead-core's outcomes, every threshold from the
//! content pack), from the day of their latest clearance on. A flag that
//! reaches see-a-doctor-first stops plans everywhere (see [`crate::plan`]).

use crate::notices::{Notice, mail_id};
use crate::{Error, Own, Result, Zone};
use chrono::NaiveDate;
use knead_core::outcomes::{self, Assessment, Flag, PainReading};
use knead_core::records::SessionPain;
use knead_core::vocab::Disposition;
use knead_store::mail::Mailing;
use knead_store::sharing::Sharing;
use knead_store::{Period, Store};

/// Days a progress chart draws, up to today (see [`Judged::charted`]).
pub const CHART_DAYS: u32 = 365;

/// A journal judged by §4.
#[derive(Debug)]
pub struct Judged {
    /// Every session's pain, oldest first (a few bytes a session: the
    /// judgement reads every reading since the latest clearance, and the
    /// views show pain by day over the whole journal).
    pub pains: Vec<SessionPain>,
    /// Their pain readings, by the person's day.
    pub readings: Vec<PainReading>,
    /// The person's today.
    pub today: NaiveDate,
    /// The day of the latest clearance, if any: readings up to it are not judged.
    pub cleared_on: Option<NaiveDate>,
    /// The judgement.
    pub assessment: Assessment,
    /// The pack's `session.counted_min_seconds`: a session with less
    /// massage shows no effect (see `SessionSummary::effect_after`).
    pub counted_min_seconds: u32,
}

/// One day's pain, as the progress views show it.
#[derive(Debug, Clone, PartialEq)]
pub struct DayPain {
    /// The day.
    pub day: NaiveDate,
    /// Mean pain before sessions, 0-10.
    pub before: f64,
    /// Mean pain after sessions, 0-10, if any was given.
    pub after: Option<f64>,
    /// Sessions that day.
    pub sessions: u32,
}

impl Judged {
    /// Pain per day, oldest first, from `from` on. A session's pain after
    /// counts only when the session does (enough massage to count as one).
    pub fn by_day(&self, from: Option<NaiveDate>) -> Vec<DayPain> {
        // Per day: sum before, sessions, sum after, sessions with an after.
        let mut days: std::collections::BTreeMap<NaiveDate, (u32, u32, u32, u32)> = Default::default();
        let read = self.readings.iter().zip(&self.pains);
        for (r, s) in read.filter(|(r, _)| from.is_none_or(|f| r.day >= f)) {
            let e = days.entry(r.day).or_default();
            e.0 += u32::from(r.before.get());
            e.1 += 1;
            if let Some(a) = s.effect_after(self.counted_min_seconds) {
                e.2 += u32::from(a.get());
                e.3 += 1;
            }
        }
        days.into_iter()
            .map(|(day, (before, n, after, m))| DayPain {
                day,
                before: f64::from(before) / f64::from(n),
                after: (m > 0).then(|| f64::from(after) / f64::from(m)),
                sessions: n,
            })
            .collect()
    }

    /// The sessions a progress chart draws, oldest first: those of the
    /// [`CHART_DAYS`] days up to today. A chart is a few hundred pixels
    /// wide, so ten years of sessions would show no more than one does,
    /// while its drawing (two marks a session) grew with the journal.
    pub fn charted(&self) -> impl Iterator<Item = &SessionPain> {
        let from = self.today - chrono::Days::new(u64::from(CHART_DAYS) - 1);
        self.readings
            .iter()
            .zip(&self.pains)
            .filter(move |(r, _)| (from..=self.today).contains(&r.day))
            .map(|(_, s)| s)
    }

    /// The meaningful-improvement line a chart draws, 0-10.
    pub fn chart_target(&self) -> Option<f64> {
        self.assessment.target_tenths.map(|t| f64::from(t) / 10.0)
    }

    /// The flag that stops self-massage now (see a doctor first), if any.
    pub fn stop(&self) -> Option<&Flag> {
        stopping(&self.assessment)
    }
}

/// The first flag of `assessment` that stops self-massage (see a doctor first).
pub fn stopping(assessment: &Assessment) -> Option<&Flag> {
    assessment.flags.iter().find(|f| f.disposition() >= Disposition::SeeDoctorFirst)
}

/// Each session's pain readings, on the person's days.
pub fn readings(pains: &[SessionPain], zone: Zone) -> Vec<PainReading> {
    pains
        .iter()
        .map(|s| PainReading { day: zone.day(s.started_at), before: s.pain_before, after: s.pain_after })
        .collect()
}

/// The refusal a stopping flag makes: it names the flag, says why and what
/// to do. The same words in every interface.
pub fn refusal(flag: &Flag) -> Error {
    Error::Refused(crate::Refusal {
        kind: "escalation",
        title: "Your pain over time calls for a doctor before more self-massage".to_owned(),
        detail: format!(
            "{} Once a doctor or physiotherapist has seen you about it and said self-massage is fine, \
             answer the safety questions again and say so: that restarts the count.",
            flag.message()
        ),
        flag: Some(flag.name()),
    })
}

impl<S: Store + Sharing> Own<'_, S> {
    /// Read and judge the person's journal, with days in `zone`.
    pub async fn judge(&self, zone: Zone) -> Result<Judged> {
        let pains = self.app.store.session_pains(self.person, Period::default()).await?;
        let readings = readings(&pains, zone);
        let today = zone.day(self.app.now());
        let cleared_on = self.app.store.cleared_on(self.person).await?;
        let assessment = outcomes::assess(&self.app.pack().escalation, &readings, today, cleared_on);
        let counted_min_seconds = self.app.pack().session_counted_min.value;
        Ok(Judged { pains, readings, today, cleared_on, assessment, counted_min_seconds })
    }

    /// Refuse when §4 stops self-massage now (the refusal names the flag).
    pub async fn check_progress(&self, zone: Zone) -> Result<()> {
        match self.judge(zone).await?.stop() {
            Some(flag) => Err(refusal(flag)),
            None => Ok(()),
        }
    }
}

impl<S: Store + Sharing + Mailing> Own<'_, S> {
    /// Tell the person's clinicians, once, when §4 first stops
    /// self-massage: judged after each session kept, so the clinician
    /// hears of it as the screening's red flags are heard of, not only when
    /// they next open their list. A flag is told once per stretch of the
    /// journal (from a clearance on), whichever server judges it and however
    /// often. Never fails what caused it (see [`crate::notices`]); costs
    /// nothing on a server that sends no notices.
    pub(crate) async fn notice_progress(&self, zone: Zone) {
        if !self.app.sends_notices() {
            return;
        }
        if let Err(e) = self.try_notice_progress(zone).await {
            tracing::warn!(error = %e, "a progress notice could not be queued; the session is kept");
        }
    }

    async fn try_notice_progress(&self, zone: Zone) -> Result<()> {
        let clinicians = self.clinicians().await?;
        if clinicians.is_empty() {
            return Ok(());
        }
        let judged = self.judge(zone).await?;
        let Some(flag) = judged.stop() else { return Ok(()) };
        let since = judged.cleared_on.map_or_else(|| "start".to_owned(), |d| d.to_string());
        let told = format!("{}:{since}", flag.name());
        if self.app.store.flag_noticed(self.person, &told, self.app.now()).await? {
            let event = mail_id(&format!("progress {told}"), self.person.0, self.person);
            self.app.notify(Notice::PatientNeedsAttention, event, &clinicians).await;
        }
        Ok(())
    }
}
