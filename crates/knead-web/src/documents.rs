//! What a page hands over as a document rather than HTML: the progress
//! chart (SVG) and the report for a clinician (PDF). Both are made by
//! knead-export from what the use cases read and judge.

use crate::AppState;
use crate::problem::Problem;
use chrono::{Days, FixedOffset};
use knead_app::Zone;
use knead_core::records::PersonId;
use knead_export::chart::{self, ChartOptions, ProgressPoint};
use knead_export::report::{self, ReportInput};

/// The progress chart of `person` as SVG, with the meaningful-improvement
/// line of the period §4 judges (from the latest clearance on): the same
/// chart as `knead progress --svg`.
pub async fn progress_chart(state: &AppState, person: PersonId, zone: Zone) -> Result<String, Problem> {
    let judged = state.app.patient(person).judge(zone).await?;
    let points: Vec<ProgressPoint> = judged.sessions.iter().map(ProgressPoint::from).collect();
    chart::progress_svg(&points, &ChartOptions { target: judged.chart_target(), ..ChartOptions::default() })
        .map_err(|e| {
            tracing::error!(error = %e, "chart failed");
            Problem::internal()
        })
}

/// The report for a clinician, as a PDF of the last four weeks (days cut
/// at `offset`).
pub async fn report_pdf(state: &AppState, person: PersonId, offset: FixedOffset) -> Result<Vec<u8>, Problem> {
    let own = state.app.patient(person);
    let all = own.export().await?;
    let to = Zone::Fixed(offset).day(own.now());
    let from = to.checked_sub_days(Days::new(27)).unwrap_or(to);
    let input = ReportInput { pack: state.app.pack(), journal: &all, name: None, from, to, zone: &offset };
    report::pdf(&input).map_err(|e| {
        tracing::error!(error = %e, "report failed");
        Problem::internal()
    })
}
