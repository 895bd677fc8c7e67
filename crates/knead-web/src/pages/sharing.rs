//! The patient's Sharing page: invite a clinician, see and end their
//! access, read the program they set and a thread of messages with each
//! of them (and answer in it), read the log of
//! who looked at what, and give a calendar app a private address for
//! session reminders (shown once, in full, when it is made).

use super::{all, offset_of, one, pairs, problem_page, render};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::Problem;
use crate::zone::LocalZone;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::DateTime;
use knead_app::program::ends_on;
use knead_app::reminders::hh_mm;
use knead_core::records::PersonId;
use knead_core::vocab::Vocabulary as _;
use knead_store::sharing::AuditAction;
use knead_store::sharing::{Assignment, Message};
use uuid::Uuid;

/// Log lines and messages shown.
const SHOWN: u32 = 100;

pub(super) struct InvitationView {
    code: String,
    link: String,
    expires: String,
}

pub(super) struct GrantView {
    id: Uuid,
    email: String,
    since: String,
    revoked: Option<String>,
}

pub(super) struct ProgramView {
    pub(super) by: String,
    pub(super) what: String,
    pub(super) note: Option<String>,
    pub(super) on_hold: Option<String>,
}

impl ProgramView {
    /// The program `p` (on hold, and why, if so) in words, its last day in `zone`'s words.
    pub(super) fn new((p, on_hold): (Assignment, Option<String>), zone: &LocalZone) -> Self {
        let techniques: Vec<String> = p.techniques.iter().map(|t| t.as_str().replace('_', " ")).collect();
        Self {
            what: format!(
                "{}, {} a day, {} days a week, for {} weeks (until {})",
                techniques.join(", "),
                p.sessions_per_day,
                p.days_per_week,
                p.weeks,
                zone.day(ends_on(&p))
            ),
            by: p.clinician_email,
            note: p.note,
            on_hold,
        }
    }
}

pub(super) struct MessageView {
    pub(super) from: String,
    pub(super) when: String,
    pub(super) text: String,
    /// "Read before your next session", and whether and when it was read.
    pub(super) status: String,
    /// When it was written, to the nanosecond as kept (RFC 3339), for
    /// "read up to here".
    pub(super) at: String,
}

/// Who a message is shown to: one of the two of its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reader {
    /// The patient.
    Patient,
    /// The clinician of the thread.
    Clinician,
}

impl MessageView {
    /// A message as shown to `reader`, who each call themselves "You".
    pub(super) fn of(m: Message, zone: &LocalZone, reader: Reader) -> Self {
        let mine = m.by_patient() == (reader == Reader::Patient);
        let from = match (mine, m.by_patient(), m.clinician_email.is_empty()) {
            (true, _, _) => "You".to_owned(),
            (false, true, _) => "The patient".to_owned(),
            (false, false, true) => "A clinician (account deleted)".to_owned(),
            (false, false, false) => m.clinician_email,
        };
        let read = m.read_at.map_or("not read yet".to_owned(), |at| format!("read {}", zone.when(at)));
        let status = match (mine, m.before_session, m.read_at.is_none()) {
            (true, true, _) => format!("To read before the next session; {read}"),
            (true, false, _) => format!("Sent; {read}"),
            // What the other one wrote: whether it is new, and what it asks.
            (false, true, true) => "New; to read before your next session".to_owned(),
            (false, true, false) => "To read before your next session".to_owned(),
            (false, false, true) => "New".to_owned(),
            (false, false, false) => String::new(),
        };
        let at = m.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        Self { from, when: zone.when(m.at), text: m.text, status, at }
    }
}

/// A thread with one clinician on the patient's Sharing page.
struct ThreadView {
    clinician: Uuid,
    email: String,
    /// Whether they have access now: only then is there a form to write to them.
    open: bool,
    unread: u32,
    /// Newest first.
    messages: Vec<MessageView>,
}

/// A calendar address just made: shown this once.
pub(super) struct AddressView {
    http: String,
    webcal: String,
}

/// The reminders section: the live feed, and the form's time fields.
struct CalendarView {
    /// The live feed's times and when it was made, in words.
    live: Option<String>,
    /// One time field per reminder allowed a day, prefilled with the live
    /// feed's times (the first with 08:00 when there is none).
    slots: Vec<String>,
    /// What limits the number, in words.
    limit: String,
    /// Whether a clinician's program in force decides the days.
    on_program_days: bool,
    /// Whether that program is on hold: the feed holds no reminders.
    on_hold: bool,
}

struct AuditView {
    when: String,
    who: String,
    what: String,
}

#[derive(Template)]
#[template(path = "sharing.html")]
struct SharingPage {
    title: &'static str,
    csrf: Option<String>,
    csrf_token: String,
    invitation: Option<InvitationView>,
    address: Option<AddressView>,
    calendar: CalendarView,
    grants: Vec<GrantView>,
    program: Option<ProgramView>,
    threads: Vec<ThreadView>,
    audit: Vec<AuditView>,
    /// The offset the calendar form sends when no script fills in the device's.
    offset_minutes: i32,
}

fn action_words(action: AuditAction, detail: &str) -> String {
    match action {
        AuditAction::Invited => "made an invitation".to_owned(),
        AuditAction::Granted => "accepted an invitation: access began".to_owned(),
        AuditAction::Revoked => "ended access".to_owned(),
        AuditAction::Viewed => format!("looked at your {detail}"),
        AuditAction::Assigned => "set a home program".to_owned(),
        AuditAction::Messaged => "left a message".to_owned(),
        AuditAction::Cleared => {
            "said they assessed your back pain and self-massage is fine: the advice to see a doctor first \
             was lifted"
                .to_owned()
        }
        AuditAction::Acknowledged => "noted the warning signs in your screenings".to_owned(),
        AuditAction::Confirmed => "confirmed the clearance you reported".to_owned(),
        AuditAction::Withdrew => {
            "withdrew a clearance: it no longer lifts the advice to see a doctor first".to_owned()
        }
    }
}

async fn calendar_view(
    state: &AppState,
    patient: &Patient,
    zone: &LocalZone,
) -> Result<CalendarView, Problem> {
    let person = patient.person();
    let followed = state.app.patient(person).followed(zone.today()).await?;
    let pack_limit =
        || (state.config.pack.daily_sessions_max.value, "the most sessions a day Knead allows".to_owned());
    let ((max, why), on_program_days, on_hold) = match followed.map(|f| f.program) {
        Some(Ok(program)) => (
            (program.sessions_per_day(), format!("your home program, {}", program.set_by().described())),
            true,
            false,
        ),
        Some(Err(_)) => (pack_limit(), true, true),
        None => (pack_limit(), false, false),
    };
    let live = state.app.patient(person).feed().await?;
    let mut slots = live.as_ref().map(|f| hh_mm(&f.times)).unwrap_or_else(|| vec!["08:00".to_owned()]);
    slots.resize(max as usize, String::new());
    Ok(CalendarView {
        live: live.map(|f| format!("at {}, made {}", hh_mm(&f.times).join(", "), zone.when(f.created_at))),
        slots,
        limit: format!("up to {max} a day ({why})"),
        on_program_days,
        on_hold,
    })
}

async fn page(
    state: &AppState,
    patient: &Patient,
    zone: &LocalZone,
    invitation: Option<InvitationView>,
    address: Option<AddressView>,
) -> Result<Response, Problem> {
    let person = patient.person();
    let own = state.app.patient(person);
    let grants = own.grants().await?;
    let threads = own.threads(SHOWN).await?;
    let audit = own.audit_log(SHOWN).await?;
    let page = SharingPage {
        title: "Sharing",
        csrf: Some(patient.csrf().to_owned()),
        csrf_token: patient.csrf().to_owned(),
        invitation,
        address,
        calendar: calendar_view(state, patient, zone).await?,
        grants: grants
            .into_iter()
            .map(|g| GrantView {
                id: g.id,
                email: g.clinician_email,
                since: zone.when(g.granted_at),
                revoked: g.revoked_at.map(|at| zone.when(at)),
            })
            .collect(),
        program: own.program().await?.map(|p| ProgramView::new(p, zone)),
        threads: threads
            .into_iter()
            .map(|t| ThreadView {
                clinician: t.clinician.0,
                email: if t.clinician_email.is_empty() {
                    "a clinician (account deleted)".to_owned()
                } else {
                    t.clinician_email
                },
                open: t.open,
                unread: t.unread,
                messages: t.messages.into_iter().map(|m| MessageView::of(m, zone, Reader::Patient)).collect(),
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|a| AuditView {
                when: zone.when(a.at),
                who: if a.actor == person { "You".to_owned() } else { a.actor_email },
                what: action_words(a.action, &a.detail),
            })
            .collect(),
        offset_minutes: zone.offset_minutes(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /sharing`.
pub(super) async fn sharing(State(state): State<AppState>, patient: Patient, zone: LocalZone) -> Response {
    page(&state, &patient, &zone, None, None).await.unwrap_or_else(|p| problem_page(Some(&patient), p))
}

/// This server's address as the browser reached it (for links to share):
/// `https` when cookies are marked secure, that is, behind TLS.
pub(super) fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("{}://{host}", if state.config.secure_cookies { "https" } else { "http" })
}

/// `POST /sharing/invite`: make an invitation and show its code once.
pub(super) async fn invite_form(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let shown = async {
        patient.check_csrf(one(&pairs(&body), "csrf"))?;
        let made = state.app.patient(patient.person()).invite().await?;
        let link = format!("{}{}", origin(&state, &headers), made.path());
        let view = InvitationView { code: made.code, link, expires: zone.when(made.expires_at) };
        page(&state, &patient, &zone, Some(view), None).await
    };
    shown.await.unwrap_or_else(|p| problem_page(Some(&patient), p))
}

/// `POST /sharing/revoke`: end a clinician's access.
pub(super) async fn revoke_form(State(state): State<AppState>, patient: Patient, body: Bytes) -> Response {
    let form = pairs(&body);
    let done = async {
        patient.check_csrf(one(&form, "csrf"))?;
        let grant =
            Uuid::parse_str(one(&form, "grant")).map_err(|_| Problem::invalid("grant", "a grant's id"))?;
        state.app.patient(patient.person()).revoke(grant).await?;
        Ok::<_, Problem>(Redirect::to("/sharing").into_response())
    };
    done.await.unwrap_or_else(|p| problem_page(Some(&patient), p))
}

/// The address as a calendar app takes it: absolute, on the host the
/// browser used (over https when the server is reached over TLS), and as
/// `webcal://`, which opens the calendar app to subscribe. Without a Host
/// header, the path alone.
fn address(state: &AppState, headers: &HeaderMap, path: &str) -> AddressView {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => AddressView {
            http: format!("{}://{host}{path}", if state.config.secure_cookies { "https" } else { "http" }),
            webcal: format!("webcal://{host}{path}"),
        },
        None => AddressView { http: path.to_owned(), webcal: path.to_owned() },
    }
}

/// `POST /sharing/calendar`: make the calendar address (ending the old
/// one) and show it once.
pub(super) async fn calendar_form(
    State(state): State<AppState>,
    patient: Patient,
    zone: LocalZone,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let shown = async {
        patient.check_csrf(one(&form, "csrf"))?;
        let times = all(&form, "time").filter(|t| !t.trim().is_empty());
        let minutes = offset_of(&form, &zone).local_minus_utc() / 60;
        let made = state.app.patient(patient.person()).open_feed(times, minutes).await?;
        let view = address(&state, &headers, &made.path());
        page(&state, &patient, &zone, None, Some(view)).await
    };
    shown.await.unwrap_or_else(|p| problem_page(Some(&patient), p))
}

/// `POST /sharing/calendar/revoke`: end the calendar address.
pub(super) async fn calendar_revoke_form(
    State(state): State<AppState>,
    patient: Patient,
    body: Bytes,
) -> Response {
    let done = async {
        patient.check_csrf(one(&pairs(&body), "csrf"))?;
        state.app.patient(patient.person()).close_feed().await?;
        Ok::<_, Problem>(Redirect::to("/sharing#reminders").into_response())
    };
    done.await.unwrap_or_else(|p| problem_page(Some(&patient), p))
}

/// The clinician a form names in `clinician`, if it names one.
fn clinician_of(form: &[(String, String)]) -> Result<Option<PersonId>, Problem> {
    match one(form, "clinician") {
        "" => Ok(None),
        id => Uuid::parse_str(id)
            .map(|id| Some(PersonId(id)))
            .map_err(|_| Problem::invalid("clinician", "a clinician's id, as on the Sharing page")),
    }
}

/// `POST /messages/read`: the patient has read their clinicians' messages,
/// in one thread (`clinician`, back to the Sharing page) or in all (back home).
pub(super) async fn read_form(State(state): State<AppState>, patient: Patient, body: Bytes) -> Response {
    let form = pairs(&body);
    let done = async {
        patient.check_csrf(one(&form, "csrf"))?;
        let through = DateTime::parse_from_rfc3339(one(&form, "through"))
            .map_err(|_| Problem::invalid("through", "the time of the newest message shown (RFC 3339)"))?;
        let clinician = clinician_of(&form)?;
        state.app.patient(patient.person()).read_messages(clinician, Some(through.to_utc())).await?;
        Ok::<_, Problem>(clinician)
    };
    match done.await {
        Ok(None) => Redirect::to("/").into_response(),
        Ok(Some(_)) => Redirect::to("/sharing#messages").into_response(),
        Err(p) => problem_page(Some(&patient), p),
    }
}

/// `POST /messages/reply`: the patient writes to one of their clinicians.
pub(super) async fn reply_form(State(state): State<AppState>, patient: Patient, body: Bytes) -> Response {
    let form = pairs(&body);
    let done = async {
        patient.check_csrf(one(&form, "csrf"))?;
        let clinician = clinician_of(&form)?;
        Ok::<_, Problem>(state.app.patient(patient.person()).reply(clinician, one(&form, "text")).await?)
    };
    match done.await {
        Ok(_) => Redirect::to("/sharing#messages").into_response(),
        Err(p) => problem_page(Some(&patient), p),
    }
}
