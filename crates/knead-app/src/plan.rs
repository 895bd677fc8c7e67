//! Plan today. What decides, in order of authority:
//!
//! 0. a clinician's message to read before the next session, while unread;
//! 1. the screening: the person's newest, from today, judged again now,
//!    must permit self-care (and decides which techniques);
//! 2. §4 of the screening reference: pain over time that calls for a
//!    doctor first stops plans until a clearance restarts the count;
//! 3. the clinician's program, when one is in force: its techniques and its
//!    sessions a day;
//! 4. the day's limits from the content pack.
//!
//! The web API, the web pages and `knead start` all plan through
//! [`Own::plan_today`], so none of them can give a plan another would refuse.

use crate::screening::not_today;
use crate::{Error, Own, Result, Zone};
use knead_core::limits;
use knead_core::planner::{self, Kit, Plan};
use knead_core::session::{self, Slot};
use knead_store::Store;
use knead_store::sharing::Sharing;
use uuid::Uuid;

/// A plan and what it went from.
#[derive(Debug)]
pub struct Planned {
    /// The screening it came from.
    pub screening: Uuid,
    /// The plan.
    pub plan: Plan,
    /// Segment by segment, as the guided session runs it.
    pub timeline: Vec<Slot>,
    /// What today's limits (and the program) still allow, in words.
    pub still_allowed: Vec<String>,
}

impl<S: Store + Sharing> Own<'_, S> {
    /// Plan a session for today from screening `screening` with `kit`, on
    /// the person's days in `zone` (see the module's order of authority).
    pub async fn plan_today(&self, screening: Uuid, kit: Kit, zone: Zone) -> Result<Planned> {
        self.check_messages_read().await?;
        let (record, permit) = self.permit(screening).await?;
        self.newest_only(record.id).await?;
        let today = zone.day(self.app.now());
        if zone.day(record.at) != today {
            return Err(not_today());
        }
        let judged = self.judge(zone).await?;
        if let Some(flag) = judged.stop() {
            return Err(crate::progress::refusal(flag));
        }
        let todays = self.app.store.session_summaries(self.person, zone.period(today)).await?;
        let usage = limits::usage(todays.iter().map(|s| &s.usage));
        let pack = self.app.pack();
        let program = self.followable(today, &permit).await?.map(|(_, program)| program);
        let planned = match &program {
            Some(program) => planner::plan_program(pack, &permit, &kit, &usage, program),
            None => planner::plan(pack, &permit, &kit, &usage),
        };
        let plan = planned.map_err(|e| Error::refused("no-plan", "No session fits today", e.to_string()))?;
        Ok(Planned {
            screening: record.id,
            timeline: session::timeline(&plan),
            still_allowed: limits::still_allowed(pack, &usage, program.as_ref()),
            plan,
        })
    }

    /// Whether reminders to massage pause now: the newest screening does
    /// not allow self-care, or §4 calls for a doctor first. Prompting a
    /// session that no plan would be given for would be wrong.
    pub async fn reminders_paused(&self, zone: Zone) -> Result<bool> {
        let refused = match self.newest_screening().await? {
            Some(newest) => knead_core::screening::screen(self.app.pack(), &newest.intake).permit().is_err(),
            None => false,
        };
        Ok(refused || self.judge(zone).await?.stop().is_some())
    }
}
