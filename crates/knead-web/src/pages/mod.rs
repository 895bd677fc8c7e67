//! The server-rendered pages. Forms post back to these routes (they work
//! without JavaScript); only the guided session page runs a script, which
//! talks to the API. A page a signed-out visitor may not see sends them to
//! the sign-in page; a page for a screening that is not theirs is a 404.

use crate::AppState;
use crate::auth::{self, Patient, Refused, Someone};
use crate::problem::Problem;
use crate::security::ClientAddress;
use crate::zone::LocalZone;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use chrono::{FixedOffset, NaiveDate, Offset, Utc};
use knead_app::clearance as clearances;
use knead_app::progress::Judged;
use knead_app::{Error, Zone};
use knead_core::intake::{Answer, Field, Intake, Stage};
use knead_core::labels::{self, Label};
use knead_core::pack::{Education, Kind, Question};
use knead_core::planner::Kit;
use knead_core::records::{CheckIn, ScreeningRecord, SessionStatus};
use knead_core::screening;
use knead_core::units::{ChangeRating, PainScore};
use knead_core::vocab::{Disposition, Equipment, Region, Vocabulary};
use knead_store::Store;
use knead_store::accounts::Role;
use uuid::Uuid;

mod account;
mod clinic;
mod links;
mod sharing;

type Routes = Vec<(&'static str, MethodRouter<AppState>)>;

fn routes() -> Routes {
    vec![
        ("/", get(index)),
        ("/learn", get(learn)),
        // Signing up, signing in and accepting an invitation count their
        // attempts in the application, together with the API's.
        ("/signup", get(sign_up_form).post(sign_up)),
        ("/signin", get(sign_in_form).post(sign_in)),
        // Asking for a mailed link counts its attempts in the application too.
        ("/forgot-password", get(links::forgot_form).post(links::forgot)),
        ("/reset-password", get(links::reset_form).post(links::reset)),
        ("/confirm-email", get(links::confirm_form).post(links::confirm)),
        ("/clinic/accept", post(clinic::accept)),
        ("/signout", post(sign_out)),
        ("/account", get(account::account)),
        ("/account/password", post(account::password)),
        ("/account/name", post(account::name)),
        ("/account/notices", post(account::notices)),
        ("/account/email", post(account::email)),
        ("/account/sign-out-everywhere", post(account::sign_out_everywhere)),
        ("/account/erase", post(account::erase)),
        ("/check", get(check_form).post(check)),
        ("/result/{id}", get(result)),
        ("/result/{id}/clearance", post(clearance)),
        ("/plan", get(plan)),
        ("/plan/handout.pdf", get(handout_pdf)),
        ("/session", get(session)),
        ("/history", get(history)),
        ("/progress", get(progress)),
        ("/progress.svg", get(progress_svg)),
        ("/report.pdf", get(report_pdf)),
        ("/checkin", get(checkin_form).post(checkin)),
        ("/sharing", get(sharing::sharing)),
        ("/sharing/invite", post(sharing::invite_form)),
        ("/sharing/revoke", post(sharing::revoke_form)),
        ("/sharing/calendar", post(sharing::calendar_form)),
        ("/sharing/calendar/revoke", post(sharing::calendar_revoke_form)),
        ("/messages/read", post(sharing::read_form)),
        ("/messages/reply", post(sharing::reply_form)),
        ("/invite/{code}", get(clinic::invitation)),
        ("/clinic", get(clinic::dashboard)),
        ("/clinic/patients/{patient}", get(clinic::patient)),
        ("/clinic/patients/{patient}/screenings/{id}", get(clinic::screening)),
        ("/clinic/patients/{patient}/handout.pdf", get(clinic::handout_pdf)),
        ("/clinic/patients/{patient}/program", post(clinic::assign)),
        ("/clinic/patients/{patient}/message", post(clinic::message)),
        ("/clinic/patients/{patient}/clearance", post(clinic::clear)),
        ("/clinic/patients/{patient}/progress.svg", get(clinic::progress_svg)),
        ("/clinic/patients/{patient}/clearance/confirm", post(clinic::confirm_clearance)),
        ("/clinic/patients/{patient}/clearance/withdraw", post(clinic::withdraw_clearance)),
        ("/clinic/patients/{patient}/acknowledgement", post(clinic::acknowledge)),
    ]
}

/// Every page path: the access-control test walks them all.
pub fn paths() -> std::collections::BTreeSet<&'static str> {
    routes().into_iter().map(|(path, _)| path).collect()
}

/// The page routes.
pub fn router() -> Router<AppState> {
    routes().into_iter().fold(Router::new(), |r, (path, m)| r.route(path, m))
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            Problem::internal().into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage {
    title: String,
    csrf: Option<String>,
    detail: String,
    /// Where the person goes from here: the page that lifts the refusal
    /// when there is one, else the start.
    next: Next,
}

/// A link onwards from a problem page.
struct Next {
    id: &'static str,
    href: &'static str,
    label: &'static str,
    /// A way that lifts the refusal is the page's main action.
    primary: bool,
}

impl Next {
    const START: Next = Next { id: "back", href: "/", label: "Back to the start", primary: false };

    /// The way out of `p`: a message to read first is read on the home page.
    fn of(p: &Problem) -> Next {
        match p.kind.as_str() {
            "/problems/read-messages-first" => {
                Next { id: "go-read", href: "/#unread", label: "Read the message", primary: true }
            }
            _ => Next::START,
        }
    }
}

/// A problem shown as a page to a patient (or a visitor).
fn problem_page(patient: Option<&Patient>, p: Problem) -> Response {
    problem_page_with(patient.map(|p| p.csrf().to_owned()), p)
}

/// A problem shown as a page to whoever holds `csrf`.
fn problem_page_with(csrf: Option<String>, p: Problem) -> Response {
    let page = ProblemPage {
        title: p.title.clone(),
        csrf,
        detail: p.detail.clone().unwrap_or_default(),
        next: Next::of(&p),
    };
    render(p.status_code(), &page)
}

/// The page for an address that does not exist.
pub fn not_found_page() -> String {
    bare_problem_page("Not found", "There is no page at this address.")
}

/// A problem page without the signed-in navigation.
pub fn bare_problem_page(title: &str, detail: &str) -> String {
    let page =
        ProblemPage { title: title.to_owned(), csrf: None, detail: detail.to_owned(), next: Next::START };
    page.render().unwrap_or_default()
}

/// The pairs of a form body or query string.
fn pairs(text: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(text).into_owned().collect()
}

fn one<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn all<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The offset a form or query gives in `utc_offset_minutes` (the device's,
/// filled in by app.js), or the zone's when it gives none.
fn offset_of(pairs: &[(String, String)], zone: &LocalZone) -> FixedOffset {
    match one(pairs, "utc_offset_minutes").parse::<i32>() {
        Ok(minutes) => FixedOffset::east_opt(minutes.clamp(-840, 840) * 60).unwrap_or(Utc.fix()),
        Err(_) => zone.offset(),
    }
}

// ---------------------------------------------------------------------------
// Home, sign up, sign in.

struct Latest {
    when: String,
    headline: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    title: &'static str,
    csrf: Option<String>,
    latest: Option<Latest>,
    /// Messages from clinicians not read yet, newest first.
    unread: Vec<sharing::MessageView>,
    /// One of them is to be read before the next session.
    read_first: bool,
    /// Why self-massage is paused (pain over time calls for a doctor), and what to do.
    paused: Option<String>,
}

#[derive(Template)]
#[template(path = "learn.html")]
struct LearnPage<'a> {
    title: &'static str,
    csrf: Option<String>,
    education: &'a Education,
    over_time: String,
    emergency_number: &'a str,
}

/// `GET /learn`: why the middle back hurts, why massage can help and when
/// to stop, from the content pack. Open to anyone, like the pack.
async fn learn(State(state): State<AppState>, patient: Result<Patient, Refused>) -> Response {
    let pack = &state.config.pack;
    let page = LearnPage {
        title: "About middle-back pain",
        csrf: patient.ok().map(|p| p.csrf().to_owned()),
        education: &pack.education,
        over_time: pack.escalation.in_words(),
        emergency_number: state.config.emergency_number.as_str(),
    };
    render(StatusCode::OK, &page)
}

async fn index(
    State(state): State<AppState>,
    zone: LocalZone,
    patient: Result<Patient, Refused>,
) -> Response {
    let patient = match patient {
        Ok(patient) => patient,
        Err(Refused::WrongRole(_)) => return Redirect::to("/clinic").into_response(),
        Err(_) => {
            let page = IndexPage {
                title: "Welcome",
                csrf: None,
                latest: None,
                unread: Vec::new(),
                read_first: false,
                paused: None,
            };
            return render(StatusCode::OK, &page);
        }
    };
    let own = state.app.patient(patient.person());
    let latest = match own.newest_screening().await {
        Ok(newest) => newest
            .map(|s| Latest { when: zone.when(s.at), headline: disposition_label(s.disposition).to_owned() }),
        Err(e) => return problem_page(Some(&patient), e.into()),
    };
    let paused = match own.check_progress(Zone::Fixed(zone.offset())).await {
        Ok(()) => None,
        Err(Error::Refused(r)) => Some(r.detail),
        Err(e) => return problem_page(Some(&patient), e.into()),
    };
    let unread = match own.unread().await {
        Ok(unread) => unread,
        Err(e) => return problem_page(Some(&patient), e.into()),
    };
    let read_first = unread.iter().any(|m| m.before_session);
    let unread =
        unread.into_iter().map(|m| sharing::MessageView::of(m, &zone, sharing::Reader::Patient)).collect();
    let page = IndexPage {
        title: "Home",
        csrf: Some(patient.csrf().to_owned()),
        latest,
        unread,
        read_first,
        paused,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "auth.html")]
struct AuthPage {
    title: &'static str,
    csrf: Option<String>,
    action: &'static str,
    signup: bool,
    email: String,
    /// What went wrong (shown as an alert).
    error: Option<String>,
    /// What happened (a sign-up received), shown above the form.
    notice: Option<&'static str>,
    /// What a new password must be.
    allowed: &'static str,
}

fn auth_page(signup: bool, email: String, error: Option<String>) -> AuthPage {
    AuthPage {
        title: if signup { "Create an account" } else { "Sign in" },
        csrf: None,
        action: if signup { "/signup" } else { "/signin" },
        signup,
        email,
        error,
        notice: None,
        allowed: knead_app::password::ALLOWED,
    }
}

/// `page` for problem `p`, with `Retry-After` when it asks to wait.
fn auth_problem(p: Problem, signup: bool, email: &str) -> Response {
    let retry_after = p.retry_after;
    let page = render(p.status_code(), &auth_page(signup, email.to_owned(), p.detail.or(Some(p.title))));
    with_retry_after(page, retry_after)
}

/// A page that answers a refusal, with the refusal's `Retry-After` if it
/// has one (too many tries, a busy server).
fn with_retry_after(mut page: Response, retry_after: Option<std::num::NonZeroU32>) -> Response {
    if let Some(seconds) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds.get()));
    }
    page
}

async fn sign_up_form() -> Response {
    render(StatusCode::OK, &auth_page(true, String::new(), None))
}

async fn sign_in_form() -> Response {
    render(StatusCode::OK, &auth_page(false, String::new(), None))
}

async fn sign_up(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let (email, password) = (one(&form, "email"), one(&form, "password"));
    let role = if one(&form, "role") == "clinician" { Role::Clinician } else { Role::Patient };
    match auth::sign_up(&state, client, email, password, role).await {
        Ok(auth::SignedUp::In(new)) => {
            signed_in(&state, &new.token, if role == Role::Clinician { "/clinic" } else { "/check" })
        }
        // The same page whether or not the address had an account: the
        // sign-in form, the address filled in, and what to do.
        Ok(auth::SignedUp::Received) => {
            let page =
                AuthPage { notice: Some(auth::SIGN_UP_RECEIVED), ..auth_page(false, email.to_owned(), None) };
            render(StatusCode::OK, &page)
        }
        Err(p) => auth_problem(p, true, email),
    }
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let email = one(&form, "email");
    match auth::sign_in(&state, client, email, one(&form, "password")).await {
        Ok(new) => signed_in(&state, &new.token, if new.role == Role::Clinician { "/clinic" } else { "/" }),
        // A pause says how long; a wrong password says only that.
        Err(p) => auth_problem(p, false, email),
    }
}

fn signed_in(state: &AppState, token: &str, to: &str) -> Response {
    ([(header::SET_COOKIE, auth::set_cookie(state, token))], Redirect::to(to)).into_response()
}

async fn sign_out(State(state): State<AppState>, someone: Someone, body: Bytes) -> Response {
    let form = pairs(&body);
    if let Err(p) = someone.check_csrf(one(&form, "csrf")) {
        return problem_page_with(Some(someone.csrf().to_owned()), p);
    }
    if let Err(p) = auth::sign_out(&state, someone.token()).await {
        return problem_page_with(Some(someone.csrf().to_owned()), p);
    }
    ([(header::SET_COOKIE, auth::clear_cookie(&state))], Redirect::to("/")).into_response()
}

// ---------------------------------------------------------------------------
// Screening.

fn options<V: Vocabulary + Label + Copy>(all: &[V]) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (v.as_str(), v.label())).collect()
}

/// The content pack's questions of one stage, each with the name a form
/// posts it under: its field's (`intensity`, `symptoms`).
fn questions(state: &AppState, stage: Stage) -> Vec<(&'static str, &Question)> {
    state.config.pack.questionnaire.at(stage).map(|q| (q.field.name(), q)).collect()
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage<'a> {
    title: &'static str,
    csrf: Option<String>,
    questions: Vec<(&'static str, &'a Question)>,
    error: Option<String>,
}

impl<'a> CheckPage<'a> {
    fn new(state: &'a AppState, patient: &Patient, error: Option<String>) -> Self {
        let questions = questions(state, Stage::Screening);
        CheckPage { title: "Safety questions", csrf: Some(patient.csrf().to_owned()), questions, error }
    }
}

async fn check_form(State(state): State<AppState>, patient: Patient) -> Response {
    render(StatusCode::OK, &CheckPage::new(&state, &patient, None))
}

/// The intake the questionnaire form describes, read as answers to its
/// questions (so that it is read, and refused, exactly as the API and
/// `knead check` read an intake).
fn intake_from_form(questions: &[(&str, &Question)], form: &[(String, String)]) -> Result<Intake, String> {
    let mut answers = Vec::with_capacity(questions.len());
    for &(name, q) in questions {
        let answer = match q.kind {
            Kind::Number { .. } => Answer::Number(
                one(form, name).trim().parse().map_err(|_| format!("{name}: please give a whole number"))?,
            ),
            Kind::YesNo => Answer::YesNo(one(form, name) == "true"),
            Kind::OneOf(_) => Answer::Word(one(form, name)),
            Kind::AnyOf(_) => Answer::Words(all(form, name).collect()),
        };
        answers.push((q.field, answer));
    }
    Intake::from_answers(answers).map_err(|e| format!("{}: {}", e.field, e.problem))
}

async fn check(State(state): State<AppState>, patient: Patient, body: Bytes) -> Response {
    let form = pairs(&body);
    if let Err(p) = patient.check_csrf(one(&form, "csrf")) {
        return problem_page(Some(&patient), p);
    }
    let page = CheckPage::new(&state, &patient, None);
    let intake = match intake_from_form(&page.questions, &form) {
        Ok(intake) => intake,
        Err(error) => {
            let page = CheckPage { error: Some(format!("Please check your answers. {error}")), ..page };
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match state.app.patient(patient.person()).screen(Uuid::now_v7(), intake, None).await {
        Ok((_, record)) => Redirect::to(&format!("/result/{}", record.id)).into_response(),
        Err(e) => problem_page(Some(&patient), e.into()),
    }
}

fn disposition_label(d: Disposition) -> &'static str {
    match d {
        Disposition::Emergency => "Emergency: get help now",
        Disposition::Urgent => "Urgent: see a doctor today",
        Disposition::SeeDoctorFirst => "See a doctor before massaging",
        Disposition::SelfCareWithLimits => "Self-care, with some limits",
        Disposition::SelfCare => "Self-care",
    }
}

/// What was typed into the clearance form, when it comes back with an error.
struct ClearanceForm {
    by: String,
    on: String,
    /// What is wrong, in words, and the field it is about (`by` or `on`).
    error: Option<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "result.html")]
struct ResultPage<'a> {
    title: &'static str,
    csrf: Option<String>,
    id: Uuid,
    disposition: &'static str,
    label: &'static str,
    headline: String,
    reasons: Vec<String>,
    emergency: bool,
    /// What the emergency result's call button dials.
    emergency_number: &'a str,
    permitted: bool,
    /// Why no plan is given though the screening allows self-care: pain
    /// over time calls for a doctor first (§4).
    paused: Option<String>,
    cleared: Option<String>,
    clearance: Option<ClearanceForm>,
    /// The person's today, the latest day the date picker allows: the day
    /// the server checks the clearance against (a later one is refused).
    latest_day: NaiveDate,
    /// The offset the forms send when no script fills in the device's.
    offset_minutes: i32,
    /// The pack's question for a clinician's clearance.
    clearance_question: &'a Question,
    /// The kit questions, as the plan page's query names them.
    kit: Vec<(&'static str, &'a Question)>,
}

/// The person's screening named by the address, or the page to answer
/// with: one that is not theirs is the same 404 as one that is not there.
async fn own_screening(state: &AppState, patient: &Patient, id: &str) -> Result<ScreeningRecord, Response> {
    // An address that is not a screening's id is a page that is not there.
    let found = match Uuid::parse_str(id) {
        Ok(id) => state.store.screening(patient.person(), id).await,
        Err(_) => Ok(None),
    };
    match found {
        Ok(Some(record)) => Ok(record),
        Ok(None) => {
            Err(problem_page(Some(patient), Problem::not_found().detail("There is no such screening.")))
        }
        Err(e) => Err(problem_page(Some(patient), e.into())),
    }
}

/// The result page of `record`. The clearance form is offered when a
/// clearance is what stands between this result and a session, on the day
/// `offset` gives (see [`knead_app::Own::clearable`]); `form` is what was
/// typed into it before, with what is wrong (the page is then a 422).
async fn result_page(
    state: &AppState,
    patient: &Patient,
    record: &ScreeningRecord,
    offset: FixedOffset,
    form: Option<ClearanceForm>,
) -> Response {
    let own = state.app.patient(patient.person());
    let zone = Zone::Fixed(offset);
    let result = screening::screen(&state.config.pack, &record.intake);
    let offer = match own.clearable(record, zone).await {
        Ok(_) => true,
        Err(Error::Refused(_)) => false,
        Err(e) => return problem_page(Some(patient), e.into()),
    };
    let paused = match own.check_progress(zone).await {
        Ok(()) => None,
        Err(Error::Refused(r)) => Some(r.detail),
        Err(e) => return problem_page(Some(patient), e.into()),
    };
    let status = if form.as_ref().is_some_and(|f| f.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ResultPage {
        title: "Your result",
        csrf: Some(patient.csrf().to_owned()),
        id: record.id,
        disposition: result.disposition.as_str(),
        label: disposition_label(result.disposition),
        headline: result.headline.clone(),
        reasons: result.reasons.iter().map(|r| r.detail.clone()).collect(),
        emergency: result.disposition == Disposition::Emergency,
        emergency_number: state.config.emergency_number.as_str(),
        permitted: result.permit().is_ok() && paused.is_none(),
        paused,
        cleared: record
            .clearance
            .as_ref()
            .filter(|_| result.cleared_by_clinician)
            .map(|c| format!("{}, on {}", c.by, c.on)),
        clearance: offer
            .then(|| form.unwrap_or(ClearanceForm { by: String::new(), on: String::new(), error: None })),
        latest_day: zone.day(state.app.now()),
        offset_minutes: offset.local_minus_utc() / 60,
        clearance_question: state.config.pack.questionnaire.question(Field::ClinicianCleared),
        // The plan page reads `helper`, as its links and the session page pass it on.
        kit: questions(state, Stage::Kit)
            .into_iter()
            .map(|(name, q)| (if q.field == Field::HelperAvailable { "helper" } else { name }, q))
            .collect(),
    };
    render(status, &page)
}

async fn result(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    Path(id): Path<String>,
) -> Response {
    match own_screening(&state, &patient, &id).await {
        Ok(record) => result_page(&state, &patient, &record, zone.offset(), None).await,
        Err(page) => page,
    }
}

/// A refusal of a reported clearance as the form shows it: the field it is
/// about (`by` or `on`) and a sentence.
fn in_words(field: &str, message: &str) -> (&'static str, String) {
    let (field, label) =
        if field == "clearance.by" { ("by", "Who cleared you?") } else { ("on", "On what day?") };
    let mut letters = message.chars();
    let said: String = letters.next().map(|c| c.to_uppercase().chain(letters).collect()).unwrap_or_default();
    (field, format!("{label} {said}."))
}

/// `POST /result/{id}/clearance`: the person reports that a doctor or
/// physiotherapist has already assessed this back pain and said
/// self-massage is fine. Checked and kept by the same use case as the
/// API's and the terminal's ([`knead_app::Own::clear_self`]); the new
/// screening's result page follows.
async fn clearance(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    if let Err(p) = patient.check_csrf(one(&form, "csrf")) {
        return problem_page(Some(&patient), p);
    }
    let record = match own_screening(&state, &patient, &id).await {
        Ok(record) => record,
        Err(page) => return page,
    };
    let offset = offset_of(&form, &zone);
    let today = Zone::Fixed(offset).day(state.app.now());
    let by = one(&form, "by");
    let made = match NaiveDate::parse_from_str(one(&form, "on").trim(), "%Y-%m-%d") {
        Ok(on) => state.app.patient(patient.person()).clear_self(&record, by, on, Zone::Fixed(offset)).await,
        // Who first, as the form asks it first.
        Err(_) => Err(clearances::reported(by, today, today).err().unwrap_or_else(|| {
            Error::invalid("clearance.on", "give the day you were cleared, like 2025-03-10")
        })),
    };
    match made {
        Ok(made) => Redirect::to(&format!("/result/{}", made.id)).into_response(),
        Err(Error::Invalid { field, message }) => {
            let typed = ClearanceForm {
                by: by.to_owned(),
                on: one(&form, "on").to_owned(),
                error: Some(in_words(&field, &message)),
            };
            result_page(&state, &patient, &record, offset, Some(typed)).await
        }
        Err(e) => problem_page(Some(&patient), e.into()),
    }
}

// ---------------------------------------------------------------------------
// Plan and session.

/// The screening and kit a plan or session query describes.
fn plan_request(query: &[(String, String)]) -> Result<(Uuid, Kit), Problem> {
    let screening = Uuid::parse_str(one(query, "screening"))
        .map_err(|_| Problem::invalid("screening", "allowed: the id of one of your screenings"))?;
    Ok((screening, kit_of(query)?))
}

/// The kit a query describes: `equipment` (any number) and `helper=true`.
fn kit_of(query: &[(String, String)]) -> Result<Kit, Problem> {
    let equipment = all(query, "equipment")
        .map(|e| {
            Equipment::parse(e).ok_or_else(|| {
                Problem::invalid(
                    "equipment",
                    format!("unknown value `{e}`; allowed: {}", Equipment::allowed()),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Kit { equipment, helper_available: one(query, "helper") == "true" })
}

struct ItemView {
    name: String,
    steps: Vec<StepView>,
}

/// One step as a page shows it: its words and its figure.
pub(super) struct StepView {
    pub(super) text: String,
    pub(super) src: String,
    pub(super) alt: String,
}

impl StepView {
    pub(super) fn new(step: &knead_core::pack::Step) -> Self {
        Self {
            text: step.instruction.clone(),
            src: crate::assets::figure_src(&step.figure),
            alt: step.figure.alt.clone(),
        }
    }
}

/// The licences of the figures of `steps`, each once, in order of first use.
pub(super) fn licences<'a>(steps: impl IntoIterator<Item = &'a knead_core::pack::Step>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for step in steps {
        if !out.contains(&step.figure.licence) {
            out.push(step.figure.licence.clone());
        }
    }
    out
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    title: &'static str,
    csrf: Option<String>,
    screening: Uuid,
    minutes: u32,
    get_ready: u32,
    items: Vec<ItemView>,
    licences: Vec<String>,
    left_out: Vec<String>,
    still_allowed: Vec<String>,
    equipment: Vec<&'static str>,
    helper: bool,
    /// The handout of this kit: `/plan/handout.pdf?…`.
    handout: String,
}

async fn plan(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    RawQuery(query): RawQuery,
) -> Response {
    let query = pairs(query.unwrap_or_default().as_bytes());
    let own = state.app.patient(patient.person());
    let made = match plan_request(&query) {
        Ok((screening, kit)) => {
            own.plan_today(screening, kit, Zone::Fixed(offset_of(&query, &zone))).await.map_err(Problem::from)
        }
        Err(p) => Err(p),
    };
    let out = match made {
        Ok(out) => out,
        Err(p) => return problem_page(Some(&patient), p),
    };
    let plan = &out.plan;
    let page = PlanPage {
        title: "Your session",
        csrf: Some(patient.csrf().to_owned()),
        screening: out.screening,
        minutes: plan.total_seconds.div_ceil(60),
        get_ready: plan.get_ready_seconds,
        items: plan
            .items
            .iter()
            .map(|i| ItemView { name: i.name.clone(), steps: i.steps.iter().map(StepView::new).collect() })
            .collect(),
        licences: licences(plan.items.iter().flat_map(|i| &i.steps)),
        left_out: plan.choices.iter().filter(|c| !c.included).map(|c| c.why.clone()).collect(),
        still_allowed: out.still_allowed.clone(),
        equipment: plan_request(&query)
            .map(|(_, kit)| kit.equipment.iter().map(|e| e.as_str()).collect())
            .unwrap_or_default(),
        helper: one(&query, "helper") == "true",
        handout: handout_link(&query),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    title: &'static str,
    csrf: Option<String>,
    screening: Uuid,
    equipment: String,
    helper: bool,
    symptoms_json: String,
    regions_json: String,
}

async fn session(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    RawQuery(query): RawQuery,
) -> Response {
    let query = pairs(query.unwrap_or_default().as_bytes());
    let (screening, kit) = match plan_request(&query) {
        Ok(req) => req,
        Err(p) => return problem_page(Some(&patient), p),
    };
    // The page is only for a session a plan would be given for now; the
    // plan itself is asked for (and checked again) by the page's script.
    let own = state.app.patient(patient.person());
    if let Err(e) = own.plan_today(screening, kit.clone(), Zone::Fixed(offset_of(&query, &zone))).await {
        return problem_page(Some(&patient), e.into());
    }
    let signs: Vec<(&str, &str)> =
        state.config.pack.questionnaire.warning_signs().map(|c| (c.word, c.label.as_str())).collect();
    let page = SessionPage {
        title: "Guided session",
        csrf: Some(patient.csrf().to_owned()),
        screening,
        equipment: kit.equipment.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(","),
        helper: kit.helper_available,
        symptoms_json: serde_json::to_string(&signs).unwrap_or_default(),
        regions_json: serde_json::to_string(&options(Region::ALL)).unwrap_or_default(),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------
// History, progress, check-in.

struct Row {
    when: String,
    before: u8,
    after: String,
    what: String,
    status: &'static str,
    /// Ended as anything but finished or logged: shown apart.
    early: bool,
}

/// Sessions the history page shows, the newest: only they are read.
const HISTORY_SHOWN: u32 = 200;

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    title: &'static str,
    csrf: Option<String>,
    rows: Vec<Row>,
}

async fn history(State(state): State<AppState>, patient: Patient, zone: LocalZone) -> Response {
    let latest = match state.app.patient(patient.person()).latest_sessions(HISTORY_SHOWN).await {
        Ok(latest) => latest,
        Err(e) => return problem_page(Some(&patient), e.into()),
    };
    let rows = latest
        .sessions
        .iter()
        .rev()
        .map(|s| Row {
            when: zone.when(s.started_at),
            before: s.pain_before.get(),
            after: s.pain_after.map_or("not given".to_owned(), |p| p.get().to_string()),
            what: s
                .usage
                .iter()
                .filter(|(_, secs)| **secs > 0)
                .map(|(t, secs)| {
                    format!("{} {}", state.config.pack.technique(*t).name, labels::duration(*secs))
                })
                .collect::<Vec<_>>()
                .join(", "),
            status: s.status.words(),
            early: !matches!(s.status, SessionStatus::Completed | SessionStatus::Logged),
        })
        .collect();
    render(StatusCode::OK, &HistoryPage { title: "History", csrf: Some(patient.csrf().to_owned()), rows })
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    title: &'static str,
    csrf: Option<String>,
    flags: Vec<String>,
    has_data: bool,
    summary: String,
    /// The offset the report's form sends when no script fills in the device's.
    offset_minutes: i32,
}

async fn progress(State(state): State<AppState>, patient: Patient, zone: LocalZone) -> Response {
    let judged = match state.app.patient(patient.person()).judge(Zone::Fixed(zone.offset())).await {
        Ok(judged) => judged,
        Err(e) => return problem_page(Some(&patient), e.into()),
    };
    let out = &judged.assessment;
    let summary = match (out.baseline, out.current_tenths) {
        (Some(b), Some(now)) => format!(
            "Started at {b}/10; typical pain now {:.1}/10 after {} days.{}",
            f64::from(now) / 10.0,
            out.days,
            out.target_tenths.map_or(String::new(), |t| format!(
                " A meaningful improvement is {:.1}/10 or lower: {}.",
                f64::from(t) / 10.0,
                if out.meaningful { "reached" } else { "not reached yet" }
            ))
        ),
        _ => String::new(),
    };
    let page = ProgressPage {
        title: "Progress",
        csrf: Some(patient.csrf().to_owned()),
        flags: out.flags.iter().map(|f| f.message()).collect(),
        has_data: !judged.readings.is_empty(),
        summary,
        offset_minutes: zone.offset_minutes(),
    };
    render(StatusCode::OK, &page)
}

/// `GET /progress.svg`, or `?size=phone` drawn for a phone's width.
async fn progress_svg(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    RawQuery(query): RawQuery,
) -> Response {
    let own = state.app.patient(patient.person());
    chart_response(own.judge(Zone::Fixed(zone.offset())).await.map_err(Problem::from), query)
}

/// The progress chart of `judged` as an SVG response; `?size=phone` in
/// `query` draws it for a phone's width.
fn chart_response(judged: Result<Judged, Problem>, query: Option<String>) -> Response {
    let phone = one(&pairs(query.unwrap_or_default().as_bytes()), "size") == "phone";
    match judged.and_then(|j| crate::documents::progress_chart(&j, phone)) {
        Ok(svg) => {
            ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, no-store")], svg)
                .into_response()
        }
        Err(p) => p.into_response(),
    }
}

async fn report_pdf(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    RawQuery(query): RawQuery,
) -> Response {
    let query = pairs(query.unwrap_or_default().as_bytes());
    match crate::documents::report_pdf(&state, patient.person(), offset_of(&query, &zone)).await {
        Ok(pdf) => pdf_download(pdf, "knead-report.pdf"),
        Err(p) => problem_page(Some(&patient), p),
    }
}

/// `GET /plan/handout.pdf`: the person's home program to print, with the
/// kit of the plan page that links to it (`equipment`, `helper`).
async fn handout_pdf(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    RawQuery(query): RawQuery,
) -> Response {
    let query = pairs(query.unwrap_or_default().as_bytes());
    let zone = Zone::Fixed(offset_of(&query, &zone));
    let made = async {
        let kit = kit_of(&query)?;
        let content = state.app.patient(patient.person()).handout(Some(kit), zone).await?;
        crate::documents::handout_pdf(&state, &content, zone)
    };
    match made.await {
        Ok(pdf) => pdf_download(pdf, "knead-handout.pdf"),
        Err(p) => problem_page(Some(&patient), p),
    }
}

/// The handout's address for the kit of a plan query (vocabulary words
/// only, so nothing needs escaping).
fn handout_link(query: &[(String, String)]) -> String {
    let mut pairs: Vec<String> = kit_of(query)
        .map(|kit| kit.equipment.iter().map(|e| format!("equipment={}", e.as_str())).collect())
        .unwrap_or_default();
    if one(query, "helper") == "true" {
        pairs.push("helper=true".to_owned());
    }
    format!("/plan/handout.pdf?{}", pairs.join("&"))
}

/// A PDF to save, kept by no cache but the person's own.
fn pdf_download(pdf: Vec<u8>, file: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    title: &'static str,
    csrf: Option<String>,
    message: Option<String>,
    changes: Vec<(i8, &'static str)>,
}

fn checkin_page(patient: &Patient, message: Option<String>) -> CheckinPage {
    CheckinPage {
        title: "Weekly check-in",
        csrf: Some(patient.csrf().to_owned()),
        message,
        changes: (-3..=3).rev().map(|c| (c, labels::change(c))).collect(),
    }
}

async fn checkin_form(patient: Patient) -> Response {
    render(StatusCode::OK, &checkin_page(&patient, None))
}

async fn checkin(State(state): State<AppState>, patient: Patient, body: Bytes) -> Response {
    let form = pairs(&body);
    if let Err(p) = patient.check_csrf(one(&form, "csrf")) {
        return problem_page(Some(&patient), p);
    }
    let pain = one(&form, "week_pain").trim().parse::<i64>().ok().and_then(|v| PainScore::new(v).ok());
    let change = one(&form, "change").trim().parse::<i64>().ok().and_then(|v| ChangeRating::new(v).ok());
    let (Some(week_pain), Some(change)) = (pain, change) else {
        let page = checkin_page(
            &patient,
            Some("Please give the week's pain as a number from 0 to 10 and pick one answer.".into()),
        );
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let checkin = CheckIn { id: Uuid::now_v7(), at: state.config.now.now(), week_pain, change };
    match state.app.patient(patient.person()).add_checkin(&checkin).await {
        Ok(()) => render(StatusCode::OK, &checkin_page(&patient, Some("Saved. Thank you.".into()))),
        Err(e) => problem_page(Some(&patient), e.into()),
    }
}
