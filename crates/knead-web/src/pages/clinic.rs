//! The clinician's pages: the patient list by attention (with the form to
//! accept an invitation), the invitation link, and one patient's record
//! with the forms to assign a program, leave a message and clear the
//! patient for self-massage.

use super::sharing::{MessageView, ProgramView, Reader};
use super::{StepView, all, offset_of, one, pairs, problem_page_with, render, with_retry_after};
use crate::AppState;
use crate::auth::{Clinician, Refused, Treating};
use crate::problem::Problem;
use crate::security::ClientAddress;
use crate::zone::LocalZone;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::Zone;
use knead_app::clearance::Lift;
use knead_app::clinic::{Record, Seen};
use knead_app::program::NewProgram;
use knead_core::attention::{Adherence, Concern};
use knead_core::pack::{Technique, Variant};
use knead_core::records::{PersonId, ScreeningRecord};
use knead_core::vocab::{HelperNeed, TechniqueId, Vocabulary};
use uuid::Uuid;

fn clinic_problem(clinician: &Clinician, p: Problem) -> Response {
    problem_page_with(Some(clinician.csrf().to_owned()), p)
}

fn tenths(t: Option<u32>) -> String {
    t.map_or("no readings".to_owned(), |t| format!("{}.{}/10", t / 10, t % 10))
}

fn week_words(week: Option<Adherence>) -> String {
    match week {
        None => "no program".to_owned(),
        Some(a) if a.assigned == 0 => format!("{} sessions (none assigned yet)", a.done),
        Some(a) => format!("{} of {} sessions", a.done, a.assigned),
    }
}

struct Row {
    id: Uuid,
    email: String,
    worst: &'static str,
    worst_label: &'static str,
    concerns: Vec<String>,
    pain: String,
    week: String,
    last: String,
    /// Messages from the patient not read yet.
    unread: u32,
}

#[derive(Template)]
#[template(path = "clinic.html")]
struct ClinicPage {
    title: &'static str,
    csrf: Option<String>,
    csrf_token: String,
    error: Option<String>,
    code: String,
    rows: Vec<Row>,
}

async fn list(
    state: &AppState,
    clinician: &Clinician,
    zone: &LocalZone,
    refused: Option<Problem>,
    code: String,
) -> Result<Response, Problem> {
    let listed = state.app.patients(clinician.person(), Zone::Fixed(zone.offset())).await?;
    let rows = listed
        .into_iter()
        .map(|l| {
            let s = &l.standing;
            let (worst, worst_label) = match l.concerns.first() {
                Some(Concern::RedFlag(_)) => ("red-flag", "Warning signs"),
                Some(Concern::Pain { .. }) => ("pain", "Pain"),
                Some(Concern::Missed { .. }) => ("missed", "Sessions missed"),
                None => ("none", ""),
            };
            Row {
                id: l.grant.patient.0,
                email: l.grant.patient_shown(),
                worst,
                worst_label,
                concerns: l.concerns.iter().map(Concern::message).collect(),
                pain: tenths(s.current_tenths),
                week: week_words(s.week),
                last: s.last_session.map_or("none".to_owned(), |at| zone.when(at)),
                unread: l.unread,
            }
        })
        .collect();
    // A refused code answers with its problem's status (422 for a wrong
    // one, 429 with Retry-After once there were too many tries).
    let status = refused.as_ref().map_or(StatusCode::OK, Problem::status_code);
    let retry_after = refused.as_ref().and_then(|p| p.retry_after);
    let error = refused.map(|p| p.detail.unwrap_or(p.title));
    let page = ClinicPage {
        title: "Your patients",
        csrf: Some(clinician.csrf().to_owned()),
        csrf_token: clinician.csrf().to_owned(),
        error,
        code,
        rows,
    };
    Ok(with_retry_after(render(status, &page), retry_after))
}

/// `GET /clinic`.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    clinician: Clinician,
    zone: LocalZone,
) -> Response {
    list(&state, &clinician, &zone, None, String::new())
        .await
        .unwrap_or_else(|p| clinic_problem(&clinician, p))
}

/// `POST /clinic/accept`.
pub(super) async fn accept(
    State(state): State<AppState>,
    clinician: Clinician,
    ClientAddress(client): ClientAddress,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    if let Err(p) = clinician.check_csrf(one(&form, "csrf")) {
        return clinic_problem(&clinician, p);
    }
    let code = one(&form, "code");
    match state.app.accept(clinician.person(), code, client).await.map_err(Problem::from) {
        Ok(grant) => Redirect::to(&format!("/clinic/patients/{}", grant.patient.0)).into_response(),
        Err(p) => list(&state, &clinician, &zone, Some(p), code.to_owned())
            .await
            .unwrap_or_else(|p| clinic_problem(&clinician, p)),
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    title: &'static str,
    csrf: Option<String>,
    csrf_token: String,
    code: String,
}

/// `GET /invite/{code}`: the link a patient sends. A signed-in clinician
/// gets a button to accept it; anyone else is told how.
pub(super) async fn invitation(clinician: Result<Clinician, Refused>, Path(code): Path<String>) -> Response {
    let code: String = code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(20).collect();
    let csrf = clinician.ok().map(|c| c.csrf().to_owned());
    let page = InvitePage { title: "Invitation", csrf_token: csrf.clone().unwrap_or_default(), csrf, code };
    render(StatusCode::OK, &page)
}

/// What a clearance can do for the patient's newest screening, when it
/// is what stands between them and self-care.
enum ClearanceOffer {
    /// Clear it: the screening's id, for the form.
    Now(Uuid),
    /// It is not from today: the patient answers the questions again first.
    NotToday(String),
}

/// A concern on the record; a red flag or a pain flag can be marked as seen.
struct ConcernView {
    text: String,
    /// The form field and value that name it to acknowledge it.
    seen: Option<(&'static str, String)>,
}

impl From<&Concern> for ConcernView {
    fn from(c: &Concern) -> Self {
        let seen = Seen::of(c).map(|seen| match seen {
            Seen::Screening(id) => ("screening", id.to_string()),
            Seen::Pain(day) => ("pain_day", day.to_string()),
        });
        Self { text: c.message(), seen }
    }
}

struct ScreeningView {
    id: Uuid,
    when: String,
    label: &'static str,
    cleared: Option<String>,
}

/// A clearance on the record: whose word it is and what this clinician
/// may do with it.
struct ClearanceView {
    screening: Uuid,
    text: String,
    confirmable: bool,
    withdrawable: bool,
}

impl ClearanceView {
    /// The clearance kept with screening `s`, if any, as `me` reads it.
    fn of(s: &ScreeningRecord, me: PersonId, zone: &LocalZone) -> Option<ClearanceView> {
        let c = s.clearance.as_ref()?;
        let who = |p: PersonId| if p == me { "you" } else { "another of the patient's clinicians" };
        let mut text = format!("Cleared by {} on {}", c.by, zone.day(c.on));
        match c.recorded_by {
            Some(p) => text.push_str(&format!(", recorded in Knead by {}", who(p))),
            None => text.push_str(", as the patient reported it"),
        }
        if let Some(r) = c.confirmed {
            text.push_str(&format!("; confirmed by {} on {}", who(r.by), zone.when(r.at)));
        }
        if let Some(r) = c.withdrawn {
            text.push_str(&format!(
                "; withdrawn by {} on {}: it lifts nothing now",
                who(r.by),
                zone.when(r.at)
            ));
        }
        text.push('.');
        Some(ClearanceView {
            screening: s.id,
            text,
            confirmable: c.in_force() && c.recorded_by.is_none() && c.confirmed.is_none(),
            withdrawable: c.in_force(),
        })
    }
}

struct DayView {
    day: String,
    sessions: u32,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "patient.html")]
struct PatientPage {
    title: &'static str,
    csrf: Option<String>,
    csrf_token: String,
    id: Uuid,
    email: String,
    since: String,
    concerns: Vec<ConcernView>,
    error: Option<String>,
    notice: Option<String>,
    pain: String,
    adherence: String,
    days: Vec<DayView>,
    program: Option<ProgramView>,
    /// The program's techniques, each way of doing one with its steps' figures.
    program_steps: Vec<(String, Vec<StepView>)>,
    /// The licences of those figures.
    licences: Vec<String>,
    techniques: Vec<(&'static str, String)>,
    sessions_max: u32,
    messages: Vec<MessageView>,
    /// How many of the patient's messages this look showed for the first time.
    unread: u32,
    clearance: Option<ClearanceOffer>,
    clearances: Vec<ClearanceView>,
    screenings: Vec<ScreeningView>,
    checkins: Vec<String>,
    notes: Vec<(String, String)>,
    /// The offset the clearance form sends when no script fills in the device's.
    offset_minutes: i32,
}

/// The record again after a clinician's action: with `done`'s notice, or
/// with what went wrong.
async fn answered<T>(
    state: &AppState,
    treating: &Treating,
    zone: &LocalZone,
    outcome: Result<T, Problem>,
    done: &str,
) -> Response {
    let (error, notice) = match outcome {
        Ok(_) => (None, Some(done.to_owned())),
        Err(p) => (Some(p.detail.unwrap_or(p.title)), None),
    };
    record_page(state, treating, zone, error, notice)
        .await
        .unwrap_or_else(|p| clinic_problem(&treating.clinician, p))
}

async fn record_page(
    state: &AppState,
    treating: &Treating,
    zone: &LocalZone,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, Problem> {
    let Record {
        standing,
        concerns,
        judged,
        sessions: record_sessions,
        screenings,
        checkins,
        program,
        messages,
        unread,
    } = treating.treated.record(Zone::Fixed(zone.offset())).await?;
    let grant = treating.grant();
    let pain = match (standing.baseline, standing.current_tenths) {
        (Some(b), now) => format!("Started at {b}/10; typical now {}.", tenths(now)),
        _ => "No sessions yet.".to_owned(),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let pack = &state.config.pack;
    let variants: Vec<(&Technique, &Variant)> = program
        .iter()
        .flat_map(|(p, _)| &p.techniques)
        .map(|id| pack.technique(*id))
        .flat_map(|t| t.variants.iter().map(move |v| (t, v)))
        .collect();
    let program_steps = variants
        .iter()
        .map(|(t, v)| {
            let name = match v.helper {
                HelperNeed::Required => format!("{} (with a helper)", t.name),
                _ => t.name.clone(),
            };
            (name, v.steps.iter().map(StepView::new).collect())
        })
        .collect();
    let licences = super::licences(variants.iter().flat_map(|(_, v)| &v.steps));
    let clearance = match treating.treated.patient().newest_screening().await? {
        Some(s) => match treating.treated.patient().lift(&s, Zone::Fixed(zone.offset())).await? {
            Lift::Now(_) => Some(ClearanceOffer::Now(s.id)),
            Lift::NotToday => Some(ClearanceOffer::NotToday(zone.when(s.at))),
            Lift::No => None,
        },
        None => None,
    };
    let page = PatientPage {
        title: "Patient",
        csrf: Some(treating.clinician.csrf().to_owned()),
        csrf_token: treating.clinician.csrf().to_owned(),
        id: grant.patient.0,
        email: grant.patient_shown(),
        since: zone.when(grant.granted_at),
        concerns: concerns.iter().map(ConcernView::from).collect(),
        error,
        notice,
        pain,
        adherence: format!(
            "last 7 days: {}; since the program began: {}",
            week_words(standing.week),
            week_words(standing.since_assigned)
        ),
        days: judged
            .by_day(None)
            .iter()
            .rev()
            .take(56)
            .map(|d| DayView {
                day: zone.day(d.day),
                sessions: d.sessions,
                before: format!("{:.1}", d.before),
                after: d.after.map_or("not given".to_owned(), |a| format!("{a:.1}")),
            })
            .collect(),
        program: program.map(|p| ProgramView::new(p, zone)),
        program_steps,
        licences,
        techniques: state.config.pack.techniques.iter().map(|t| (t.id.as_str(), t.name.clone())).collect(),
        sessions_max: state.config.pack.daily_sessions_max.value,
        messages: messages.into_iter().map(|m| MessageView::of(m, zone, Reader::Clinician)).collect(),
        unread,
        clearance,
        clearances: screenings
            .iter()
            .filter_map(|s| ClearanceView::of(s, treating.clinician.person(), zone))
            .collect(),
        screenings: screenings
            .into_iter()
            .map(|s| ScreeningView {
                id: s.id,
                when: zone.when(s.at),
                label: super::disposition_label(s.disposition),
                cleared: s.clearance.map(|c| {
                    let withdrawn = if c.in_force() { "" } else { ", withdrawn" };
                    format!("cleared by {}, on {}{withdrawn}", c.by, c.on)
                }),
            })
            .collect(),
        notes: record_sessions
            .sessions
            .iter()
            .rev()
            .filter_map(|s| s.note.as_ref().map(|n| (zone.when(s.started_at), n.clone())))
            .take(50)
            .collect(),
        checkins: checkins
            .iter()
            .map(|c| {
                format!(
                    "{}: pain over the week {}/10, {} since starting",
                    zone.when(c.at),
                    c.week_pain.get(),
                    knead_core::labels::change(c.change.get())
                )
            })
            .collect(),
        offset_minutes: zone.offset_minutes(),
    };
    Ok(render(status, &page))
}

/// A rule that fired, as the patient was told it, with its source.
struct ReasonView {
    rule: String,
    message: String,
    source: String,
}

#[derive(Template)]
#[template(path = "screening.html")]
struct ScreeningPage {
    title: &'static str,
    csrf: Option<String>,
    patient: Uuid,
    email: String,
    when: String,
    label: &'static str,
    headline: String,
    cleared: Option<String>,
    reasons: Vec<ReasonView>,
    answers: Vec<(String, String)>,
}

/// `GET /clinic/patients/{patient}/screenings/{id}`: one screening's
/// questions and answers and the rules that fired, with their sources.
pub(super) async fn screening(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let page = async {
        let id = Uuid::parse_str(&id).map_err(|_| Problem::not_found())?;
        let s = treating.treated.screening(id).await?;
        let pack = &state.config.pack;
        // The reasons as the patient was told them (kept verbatim), each
        // with its rule's source from the pack.
        let reasons = s.result["reasons"]
            .as_array()
            .map(|reasons| {
                reasons
                    .iter()
                    .map(|r| {
                        let rule = r["rule"].as_str().unwrap_or_default().to_owned();
                        let source =
                            pack.screening.rules.iter().find(|k| k.id == rule).map(|k| k.source.clone());
                        ReasonView {
                            message: r["message"].as_str().unwrap_or_default().to_owned(),
                            source: source.unwrap_or_else(|| "not in this version of the pack".to_owned()),
                            rule,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let answers = pack
            .questionnaire
            .answered(&s.intake)
            .into_iter()
            .map(|(q, words)| (q.text.clone(), words))
            .collect();
        let grant = treating.grant();
        Ok::<_, Problem>(ScreeningPage {
            title: "Screening",
            csrf: Some(treating.clinician.csrf().to_owned()),
            patient: grant.patient.0,
            email: grant.patient_shown(),
            when: zone.when(s.at),
            label: super::disposition_label(s.disposition),
            headline: s.result["headline"].as_str().unwrap_or_default().to_owned(),
            cleared: s.clearance.map(|c| format!("Cleared by {}, on {}", c.by, c.on)),
            reasons,
            answers,
        })
    };
    match page.await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(p) => clinic_problem(&treating.clinician, p),
    }
}

/// `GET /clinic/patients/{patient}`.
pub(super) async fn patient(State(state): State<AppState>, treating: Treating, zone: LocalZone) -> Response {
    record_page(&state, &treating, &zone, None, None)
        .await
        .unwrap_or_else(|p| clinic_problem(&treating.clinician, p))
}

/// `GET /clinic/patients/{patient}/handout.pdf`: the patient's home
/// program to print, by the same rules as the patient's own handout.
pub(super) async fn handout_pdf(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
) -> Response {
    let zone = Zone::Fixed(zone.offset());
    let made = async {
        let content = treating.treated.handout(zone).await?;
        crate::documents::handout_pdf(&state, &content, zone)
    };
    match made.await {
        Ok(pdf) => super::pdf_download(pdf, "knead-handout.pdf"),
        Err(p) => clinic_problem(&treating.clinician, p),
    }
}

fn assign_request(form: &[(String, String)]) -> Result<NewProgram, Problem> {
    let number = |field: &'static str| {
        one(form, field).trim().parse::<u32>().map_err(|_| Problem::invalid(field, "a whole number"))
    };
    let techniques = all(form, "techniques")
        .map(|t| TechniqueId::parse(t).ok_or_else(|| Problem::invalid("techniques", TechniqueId::allowed())))
        .collect::<Result<_, _>>()?;
    Ok(NewProgram {
        techniques,
        sessions_per_day: number("sessions_per_day")?,
        days_per_week: u8::try_from(number("days_per_week")?).unwrap_or(u8::MAX),
        weeks: u16::try_from(number("weeks")?).unwrap_or(u16::MAX),
        note: Some(one(form, "note").to_owned()),
    })
}

/// `POST /clinic/patients/{patient}/program`.
pub(super) async fn assign(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        treating.clinician.check_csrf(one(&form, "csrf"))?;
        Ok::<_, Problem>(treating.treated.assign(assign_request(&form)?).await?)
    };
    answered(
        &state,
        &treating,
        &zone,
        done.await,
        "The program is set. The patient sees it on their next plan.",
    )
    .await
}

/// `POST /clinic/patients/{patient}/message`.
pub(super) async fn message(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        treating.clinician.check_csrf(one(&form, "csrf"))?;
        let before_session = one(&form, "before_session") == "yes";
        Ok::<_, Problem>(treating.treated.message(one(&form, "text"), before_session).await?)
    };
    answered(&state, &treating, &zone, done.await, "Message sent.").await
}

/// The screening a clinician's form names.
fn screening_of(form: &[(String, String)]) -> Result<Uuid, Problem> {
    Uuid::parse_str(one(form, "screening")).map_err(|_| Problem::invalid("screening", "a screening's id"))
}

/// `POST /clinic/patients/{patient}/acknowledgement`: the clinician saw
/// the patient's flags up to a screening or a pain flag's day.
pub(super) async fn acknowledge(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        treating.clinician.check_csrf(one(&form, "csrf"))?;
        let seen = match one(&form, "pain_day") {
            "" => Seen::Screening(screening_of(&form)?),
            day => Seen::Pain(
                day.parse()
                    .map_err(|_| Problem::invalid("pain_day", "a day as YYYY-MM-DD a concern names"))?,
            ),
        };
        let note = Some(one(&form, "note"));
        Ok::<_, Problem>(
            treating.treated.acknowledge(seen, note, Zone::Fixed(offset_of(&form, &zone))).await?,
        )
    };
    answered(&state, &treating, &zone, done.await, "Marked as seen. A new warning sign will show again.")
        .await
}

/// `GET /clinic/patients/{patient}/progress.svg`: the patient's progress
/// chart, the one their Progress page shows (`?size=phone` for a phone).
pub(super) async fn progress_svg(treating: Treating, zone: LocalZone, RawQuery(query): RawQuery) -> Response {
    let judged = treating.treated.patient().judge(Zone::Fixed(zone.offset())).await;
    super::chart_response(judged.map_err(Problem::from), query)
}

/// `POST /clinic/patients/{patient}/clearance/confirm`: the clinician
/// confirms a clearance the patient reported.
pub(super) async fn confirm_clearance(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        treating.clinician.check_csrf(one(&form, "csrf"))?;
        Ok::<_, Problem>(treating.treated.confirm_clearance(screening_of(&form)?).await?)
    };
    answered(&state, &treating, &zone, done.await, "Confirmed. The patient's access log says so.").await
}

/// `POST /clinic/patients/{patient}/clearance/withdraw`: the clinician
/// withdraws a clearance.
pub(super) async fn withdraw_clearance(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        treating.clinician.check_csrf(one(&form, "csrf"))?;
        Ok::<_, Problem>(treating.treated.withdraw_clearance(screening_of(&form)?).await?)
    };
    answered(
        &state,
        &treating,
        &zone,
        done.await,
        "Withdrawn. It lifts nothing now: the patient gets no plan until they are cleared again.",
    )
    .await
}

/// `POST /clinic/patients/{patient}/clearance`: the clinician confirms
/// they assessed the patient's back pain and self-massage is fine.
pub(super) async fn clear(
    State(state): State<AppState>,
    treating: Treating,
    zone: LocalZone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        treating.clinician.check_csrf(one(&form, "csrf"))?;
        let screening = screening_of(&form)?;
        Ok::<_, Problem>(treating.treated.clear(screening, Zone::Fixed(offset_of(&form, &zone))).await?)
    };
    answered(
        &state,
        &treating,
        &zone,
        done.await,
        "Cleared. The advice to see a doctor first is lifted for today's answers: the patient can plan \
                 sessions now.",
    )
    .await
}
