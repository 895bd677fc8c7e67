//! What a page hands over as a document rather than HTML: the progress
//! chart (SVG), the report for a clinician and the home-program handout
//! (PDF). Each is made by knead-export from what the use cases read and
//! judge.

use crate::AppState;
use crate::problem::Problem;
use chrono::{Days, FixedOffset};
use knead_app::Zone;
use knead_app::progress::Judged;
use knead_core::handout::Handout;
use knead_core::records::PersonId;
use knead_export::chart::{self, ChartOptions, ProgressPoint};
use knead_export::handout::{self, HandoutInput};
use knead_export::report::{self, ReportInput};

/// The progress chart of a journal as `judged`, as SVG, with the
/// meaningful-improvement line of the period §4 judges (from the latest
/// clearance on): the same chart as `knead progress --svg`, on the
/// patient's Progress page and on their clinician's record.
/// `phone`: drawn for a phone's width, with larger text.
pub fn progress_chart(judged: &Judged, phone: bool) -> Result<String, Problem> {
    let points: Vec<ProgressPoint> =
        judged.charted().map(|s| ProgressPoint::of(s, judged.counted_min_seconds)).collect();
    let size = if phone { ChartOptions::phone() } else { ChartOptions::default() };
    chart::progress_svg(&points, &ChartOptions { target: judged.chart_target(), ..size }).map_err(|e| {
        tracing::error!(error = %e, "chart failed");
        Problem::internal()
    })
}

/// The report for a clinician, as a PDF of the last four weeks (days cut
/// at `offset`).
pub async fn report_pdf(state: &AppState, person: PersonId, offset: FixedOffset) -> Result<Vec<u8>, Problem> {
    let own = state.app.patient(person);
    let to = Zone::Fixed(offset).day(own.now());
    let from = to.checked_sub_days(Days::new(27)).unwrap_or(to);
    let read = own.for_report(from, to, Zone::Fixed(offset)).await?;
    let input = ReportInput {
        pack: state.app.pack(),
        journal: &read.journal,
        pains: &read.pains,
        name: None,
        from,
        to,
        zone: &offset,
    };
    report::pdf(&input).map_err(|e| {
        tracing::error!(error = %e, "report failed");
        Problem::internal()
    })
}

/// The handout of `content` as a PDF, dated today in `zone`, with a line
/// for the name (the web does not print one).
pub fn handout_pdf(state: &AppState, content: &Handout, zone: Zone) -> Result<Vec<u8>, Problem> {
    let input =
        HandoutInput { pack: state.app.pack(), handout: content, name: None, on: zone.day(state.app.now()) };
    handout::pdf(&input).map_err(|e| {
        tracing::error!(error = %e, "handout failed");
        Problem::internal()
    })
}
