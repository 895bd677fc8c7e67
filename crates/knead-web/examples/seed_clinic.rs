//! Seed an empty Knead database with a clinician and their patients, for
//! the clinician-dashboard benchmark (`bench/dashboard.sh`).
//!
//! ```text
//! cargo run --release -p knead-web --example seed_clinic -- \
//!     --database-url sqlite:///tmp/clinic.sqlite3 --patients 500 --days 365
//! ```
//!
//! Makes `clinician@bench.example` (a clinician) and `patient-NNN@bench.example`
//! (patients), all with the password `mauve kettle bench tuesdays` (hashed once with
//! argon2id; every account shares the hash). Each patient has a self-care
//! screening and one session a day for `--days` days ending yesterday (pain
//! before drifting from 6 to about 3, with noise), imported in one
//! transaction, and an invitation the clinician accepted. So that the
//! dashboard's sort has work to do, about 5 % of the patients got worse over
//! the last days, 2 % have a newest screening that stops self-care (see a
//! doctor first, or urgent), and 10 % have an assigned program whose
//! sessions they partly missed last week. Everything is deterministic but
//! the ids, the timestamps (relative to now) and the password salt.
//!
//! It only fills an empty database: if the clinician's account exists it
//! stops and changes nothing.

use chrono::{DateTime, Days, Duration, Utc};
use knead_app::clock::{Now, SystemNow};
use knead_app::password::NewPassword;
use knead_core::intake::Intake;
use knead_core::pack::ContentPack;
use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
use knead_core::records::{Journal, PersonId, ScreeningRecord, SessionRecord, SessionStatus};
use knead_core::screening;
use knead_core::units::PainScore;
use knead_core::vocab::{Disposition, Region, TechniqueId};
use knead_store::Store;
use knead_store::accounts::{Account, Accounts, Role};
use knead_store::any::AnyStore;
use knead_store::sharing::{Assignment, Invitation, Sharing};
use knead_web::auth;
use knead_web::problem::Problem;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use uuid::Uuid;

type Error = Box<dyn std::error::Error>;

const CLINICIAN: &str = "clinician@bench.example";
const PASSWORD: &str = "mauve kettle bench tuesdays";
const USAGE: &str =
    "usage: seed_clinic --database-url sqlite://PATH|postgres://... [--patients N (500)] [--days N (365)]";

/// What each patient is like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Getting better, nothing to flag.
    Improving,
    /// Pain up by 2 or more over the baseline on the last days.
    Worsening,
    /// The newest screening stops self-care.
    RedFlag,
    /// An assigned program, partly missed last week.
    Missed,
}

fn kind_of(i: u32) -> Kind {
    // Disjoint residues: 5 %, 2 % and 10 % of the patients.
    if i % 20 == 7 {
        Kind::Worsening
    } else if i % 50 == 3 {
        Kind::RedFlag
    } else if i % 10 == 5 {
        Kind::Missed
    } else {
        Kind::Improving
    }
}

/// SplitMix64: small, deterministic, good enough for noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `0..n`.
    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n.max(1)).unwrap_or(0)
    }
}

struct Args {
    url: String,
    patients: u32,
    days: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut url = None;
    let mut patients = 500;
    let mut days = 365;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Err(USAGE.to_owned());
        }
        let value = inline.or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?;
        let number = |v: &str| v.parse::<u32>().map_err(|_| format!("{name}: `{v}` is not a whole number"));
        match name.as_str() {
            "--database-url" => url = Some(value),
            "--patients" => patients = number(&value)?,
            "--days" => days = number(&value)?,
            _ => return Err(format!("unknown argument `{name}`\n{USAGE}")),
        }
    }
    let url = url.ok_or_else(|| format!("--database-url is required\n{USAGE}"))?;
    if !(1..=9_999).contains(&patients) {
        return Err("--patients: allowed 1 to 9999".to_owned());
    }
    if !(8..=3_650).contains(&days) {
        return Err("--days: allowed 8 to 3650 (the missed-sessions patients need a week)".to_owned());
    }
    Ok(Args { url, patients, days })
}

fn problem(p: Problem) -> Error {
    format!("{}: {}", p.title, p.detail.unwrap_or_default()).into()
}

fn score(n: i64) -> Result<PainScore, Error> {
    PainScore::new(n.clamp(0, 10)).map_err(|e| format!("pain score {n}: {e:?}").into())
}

/// A screening of `intake` at `at`, judged with `pack`, expected to come
/// out in `want` (checked, so the seeded data means what it says).
fn screening_of(
    pack: &ContentPack,
    intake_json: &str,
    at: DateTime<Utc>,
    want: &[Disposition],
) -> Result<ScreeningRecord, Error> {
    let intake = Intake::from_json(intake_json)?;
    let result = screening::screen(pack, &intake);
    if !want.contains(&result.disposition) {
        return Err(format!(
            "intake {intake_json} screens as {:?}, expected one of {want:?}",
            result.disposition
        )
        .into());
    }
    Ok(ScreeningRecord {
        id: Uuid::now_v7(),
        at,
        intake,
        result: serde_json::to_value(&result)?,
        disposition: result.disposition,
        pack_version: pack.meta.version.clone(),
        clearance: None,
    })
}

const SELF_CARE: &str =
    r#"{"age_years": 44, "pain": {"intensity": 6, "duration_days": 12}, "equipment": ["foam_roller"]}"#;
const DOCTOR_FIRST: &str =
    r#"{"age_years": 44, "pain": {"intensity": 5, "duration_days": 20, "character": ["sharp"]}}"#;
const URGENT: &str =
    r#"{"age_years": 44, "pain": {"intensity": 5, "duration_days": 20}, "symptoms": ["fever"]}"#;

/// One patient's journal: screenings and a session a day, ending yesterday.
fn journal_of(
    pack: &ContentPack,
    i: u32,
    kind: Kind,
    days: u32,
    now: DateTime<Utc>,
) -> Result<Journal, Error> {
    let mut rng = Rng(0x4B4E_4541_4400_0000 ^ u64::from(i));
    let today = now.date_naive();
    let first_day = today - Days::new(u64::from(days));
    let morning = |day: chrono::NaiveDate, minute: i64| {
        day.and_hms_opt(8, 0, 0).map(|t| t.and_utc() + Duration::minutes(minute))
    };
    let start = morning(first_day, -30).ok_or("no such day")?;
    let first =
        screening_of(pack, SELF_CARE, start, &[Disposition::SelfCare, Disposition::SelfCareWithLimits])?;
    let mut screenings = vec![first.clone()];
    if kind == Kind::RedFlag {
        let (intake, want) = if i % 100 == 3 {
            (DOCTOR_FIRST, Disposition::SeeDoctorFirst)
        } else {
            (URGENT, Disposition::Urgent)
        };
        let at = morning(today - Days::new(1), 600).ok_or("no such day")?;
        screenings.push(screening_of(pack, intake, at, &[want])?);
    }
    // Worsening patients start lower so that their rise stays below the
    // pack's severe threshold: the flag is the rise, not one bad day.
    let (from, to) = if kind == Kind::Worsening { (4.0, 2.0) } else { (6.0, 3.0) };
    let span = f64::from(days.saturating_sub(1).max(1));
    let regions = [Region::Left, Region::Right, Region::Centre, Region::BothSides];
    let region = regions[usize::try_from(i).unwrap_or(0) % regions.len()];
    let mut sessions = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
    for k in 0..days {
        let day = first_day + Days::new(u64::from(k));
        let days_ago = days - k;
        if kind == Kind::Missed && matches!(days_ago, 1 | 3 | 5) {
            continue;
        }
        let trend = from + (to - from) * f64::from(k) / span;
        let before = if k == 0 {
            from as i64
        } else if kind == Kind::Worsening && days_ago <= 4 {
            from as i64 + 2
        } else {
            // Noise of -1, 0 or +1 around the trend, never above the start.
            ((trend.round() as i64) + rng.below(3) - 1).clamp(1, from as i64)
        };
        let after = (before - rng.below(3)).max(0);
        let started = morning(day, rng.below(90)).ok_or("no such day")?;
        let seconds = 240 + u32::try_from(rng.below(360)).unwrap_or(0);
        let technique = if rng.below(3) == 0 { TechniqueId::Hands } else { TechniqueId::FoamRoller };
        sessions.push(SessionRecord {
            id: Uuid::now_v7(),
            screening_id: Some(first.id),
            started_at: started,
            ended_at: Some(started + Duration::seconds(i64::from(seconds) + 60)),
            status: SessionStatus::Logged,
            stop_reason: None,
            plan: None,
            steps: vec![],
            usage: BTreeMap::from([(technique, seconds)]),
            pain_before: score(before)?,
            pain_after: Some(score(after)?),
            region: Some(region),
            note: None,
            pack_version: pack.meta.version.clone(),
        });
    }
    Ok(Journal {
        format: Journal::FORMAT.to_owned(),
        version: Journal::VERSION,
        exported_at: now,
        screenings,
        sessions,
        checkins: vec![],
    })
}

/// A program of one session a day, every day, for four weeks from ten days
/// ago; checked with the pack as the dashboard will check it.
fn program_for(
    pack: &ContentPack,
    patient: PersonId,
    clinician: PersonId,
    now: DateTime<Utc>,
) -> Result<Assignment, Error> {
    let techniques = BTreeSet::from([TechniqueId::Hands]);
    let result = screening::screen(pack, &Intake::from_json(SELF_CARE)?);
    let permit = result.permit().map_err(|r| r.headline)?;
    let request = ProgramRequest {
        techniques: techniques.clone(),
        sessions_per_day: 1,
        days_per_week: 7,
        weeks: 4,
        note: Some("Once a day, gently.".to_owned()),
        set_by: SetBy::Clinician(CLINICIAN.to_owned()),
    };
    HomeProgram::new(pack, &permit, request).map_err(|e| e.to_string())?;
    Ok(Assignment {
        id: Uuid::now_v7(),
        patient,
        clinician,
        clinician_email: String::new(),
        assigned_at: now - Duration::days(10),
        techniques,
        sessions_per_day: 1,
        days_per_week: 7,
        weeks: 4,
        note: Some("Once a day, gently.".to_owned()),
    })
}

async fn seed(args: &Args) -> Result<(), Error> {
    // The system clock, as the server reads it (the seeded days end yesterday).
    let began = SystemNow.now();
    let pack = ContentPack::builtin().map_err(|e| format!("the built-in pack: {e}"))?;
    let store = AnyStore::open(&args.url).await?;
    let result = fill(&store, &pack, args, began).await;
    store.close().await;
    result
}

async fn fill(store: &AnyStore, pack: &ContentPack, args: &Args, began: DateTime<Utc>) -> Result<(), Error> {
    if store.account_by_email(CLINICIAN).await?.is_some() {
        return Err(format!(
            "{CLINICIAN} already has an account in this database: seed_clinic only fills an empty \
             database (make a new one, or drop this one)"
        )
        .into());
    }
    let now = began;
    let hashing = knead_web::hashing::Hashing::new(1);
    let password = NewPassword::parse(PASSWORD, CLINICIAN).map_err(|e| e.to_string())?;
    let ticket = hashing.ticket().map_err(problem)?;
    let hash = auth::hash_password(&ticket, password).await.map_err(problem)?;
    drop(ticket);
    let clinician = PersonId(Uuid::now_v7());
    store
        .create_account(&Account {
            person: clinician,
            role: Role::Clinician,
            email: CLINICIAN.to_owned(),
            password_hash: hash.clone(),
            created_at: now - Duration::days(i64::from(args.days) + 1),
        })
        .await?;
    eprintln!("seed_clinic: {} patients x {} days into {}", args.patients, args.days, scheme(&args.url));
    let (mut sessions, mut counts) = (0_usize, BTreeMap::<&str, u32>::new());
    let step = (args.patients / 10).max(1);
    for i in 0..args.patients {
        let kind = kind_of(i);
        *counts.entry(kind_name(kind)).or_default() += 1;
        let patient = PersonId(Uuid::now_v7());
        store
            .create_account(&Account {
                person: patient,
                role: Role::Patient,
                email: format!("patient-{i:03}@bench.example"),
                password_hash: hash.clone(),
                created_at: now - Duration::days(i64::from(args.days) + 1),
            })
            .await?;
        let journal = journal_of(pack, i, kind, args.days, now)?;
        sessions += journal.sessions.len();
        store.import(patient, &journal).await?;
        let code_hash = knead_app::secret::hash(&auth::random_token().map_err(problem)?);
        let invited = now - Duration::days(i64::from(args.days));
        let invitation = Invitation { patient, created_at: invited, expires_at: now + Duration::days(7) };
        store.create_invitation(&code_hash, &invitation).await?;
        store.accept_invitation(&code_hash, clinician, Uuid::now_v7(), invited + Duration::hours(1)).await?;
        if kind == Kind::Missed {
            store.assign(&program_for(pack, patient, clinician, now)?).await?;
        }
        if (i + 1) % step == 0 || i + 1 == args.patients {
            eprintln!(
                "seed_clinic: {}/{} patients, {sessions} sessions, {:.1} s",
                i + 1,
                args.patients,
                seconds_since(began)
            );
        }
    }
    eprintln!(
        "seed_clinic: done in {:.1} s: 1 clinician, {} patients ({counts:?}), {sessions} sessions; \
         sign in as {CLINICIAN} / {PASSWORD}",
        seconds_since(began),
        args.patients
    );
    Ok(())
}

/// Seconds since `began`, by the system clock.
fn seconds_since(began: DateTime<Utc>) -> f64 {
    (SystemNow.now() - began).num_milliseconds() as f64 / 1000.0
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Improving => "improving",
        Kind::Worsening => "worsening",
        Kind::RedFlag => "red_flag",
        Kind::Missed => "missed",
    }
}

/// The URL's scheme only: a PostgreSQL URL may carry a password.
fn scheme(url: &str) -> &str {
    url.split_once("://").map_or("?", |(s, _)| s)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("seed_clinic: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(seed(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seed_clinic: {e}");
            ExitCode::FAILURE
        }
    }
}
