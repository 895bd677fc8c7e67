//! The access-control matrix: every route of the app, as each kind of
//! caller, with each allow and each denial asserted.
//!
//! The routes are enumerated, not listed by hand: the API's from the
//! OpenAPI document (which `openapi.rs` proves is exactly what is served),
//! the pages' from `knead_web::pages::paths()` (what the router is built
//! from), each probed for the methods it answers. A route without an entry
//! in [`expectation`] fails the test, so a new endpoint cannot be added
//! without deciding who may use it.
//!
//! A denial must carry none of the owner's data (their address, person id,
//! session or screening ids), and where the address names a record, a
//! denial looks exactly like the answer for a record that does not exist.

use crate::support::{TestApp, account, browser, invite_and_accept, json_of, morning, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// The patient whose data the addresses name.
    Owner,
    /// Another patient.
    OtherPatient,
    /// A clinician the owner granted access.
    Granted,
    /// A clinician the owner never invited.
    Stranger,
    /// A clinician whose access the owner revoked.
    Revoked,
}

/// What a caller must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The handler runs for them (any answer but 401, 403, 404 or a redirect to sign in).
    Allow,
    /// Refused: 401, 403, 404 or a redirect to sign in, with none of the owner's data.
    Deny,
    /// Open to anyone, and the same for anyone (sign-in forms, assets):
    /// only checked for carrying none of the owner's data.
    Public,
}

use Caller::*;
use Expect::*;

/// Who may use what: the access-control policy, one line per route.
fn expectation(method: &str, path: &str, caller: Caller) -> Option<Expect> {
    let patient_only = || match caller {
        Owner | OtherPatient => Allow,
        _ => Deny,
    };
    let owner_only = || if caller == Owner { Allow } else { Deny };
    let clinician_only = || match caller {
        Granted | Stranger | Revoked => Allow,
        _ => Deny,
    };
    let granted_only = || if caller == Granted { Allow } else { Deny };
    let signed_in = || if caller == Anonymous { Deny } else { Allow };
    Some(match (method, path) {
        // Anyone: the front page, signing up and in, the invitation link,
        // the app's files and the API's description.
        (
            "GET",
            "/" | "/learn" | "/signup" | "/signin" | "/invite/{code}" | "/sw.js" | "/api/openapi.json",
        )
        | ("POST", "/signup" | "/signin" | "/api/v1/accounts" | "/api/v1/sign-in") => Public,
        // Mailed links: asking for one, and using one (the token is the key).
        ("GET" | "POST", "/forgot-password" | "/reset-password" | "/confirm-email")
        | ("POST", "/api/v1/password-links" | "/api/v1/password-links/use" | "/api/v1/email-links/use") => {
            Public
        }
        ("GET", p) if p.starts_with("/static/") => Public,
        // A calendar feed: the secret token in the address is the key.
        ("GET", "/calendar/{file}") => Public,
        // Every account.
        ("GET", "/api/v1/me" | "/account")
        | ("POST", "/signout" | "/api/v1/sign-out" | "/account/erase" | "/account/password")
        | ("POST", "/account/sign-out-everywhere" | "/api/v1/me/sign-out-everywhere")
        | ("PUT", "/api/v1/me/password" | "/api/v1/me/name")
        | ("POST", "/account/name" | "/account/notices" | "/account/email" | "/api/v1/me/email")
        | ("GET" | "PUT", "/api/v1/me/notices")
        | ("GET", "/api/v1/me/push")
        | ("POST" | "DELETE", "/api/v1/me/devices")
        | ("DELETE", "/api/v1/me") => signed_in(),
        // A patient's own journal and sharing.
        ("GET" | "POST", "/check" | "/checkin" | "/api/v1/screenings" | "/api/v1/checkins")
        | ("GET", "/plan" | "/plan/handout.pdf" | "/session" | "/history" | "/progress")
        | ("GET", "/progress.svg" | "/report.pdf")
        | ("GET", "/sharing" | "/api/v1/sessions" | "/api/v1/progress" | "/api/v1/me/fhir")
        | ("GET", "/api/v1/me/journal")
        | ("GET", "/api/v1/grants" | "/api/v1/audit" | "/api/v1/messages" | "/api/v1/program")
        | ("GET", "/api/v1/threads")
        | ("POST", "/sharing/invite" | "/sharing/revoke" | "/api/v1/plans" | "/api/v1/invitations")
        | ("POST", "/sharing/calendar" | "/sharing/calendar/revoke")
        | ("POST", "/messages/read" | "/messages/reply" | "/api/v1/messages" | "/api/v1/messages/read")
        | ("GET" | "PUT" | "DELETE", "/api/v1/calendar") => patient_only(),
        // A record of the owner's, named in the address.
        ("GET", "/result/{id}" | "/api/v1/sessions/{id}")
        | ("POST", "/result/{id}/clearance")
        | ("PUT", "/api/v1/sessions/{id}")
        | ("DELETE", "/api/v1/grants/{id}") => owner_only(),
        // Any clinician, about no one in particular.
        ("GET", "/clinic" | "/api/v1/patients")
        | ("POST", "/clinic/accept" | "/api/v1/invitations/accept") => clinician_only(),
        // A patient's record, named in the address: only with a live grant.
        ("GET", "/clinic/patients/{patient}" | "/api/v1/patients/{patient}")
        | ("GET", "/clinic/patients/{patient}/screenings/{id}" | "/clinic/patients/{patient}/handout.pdf")
        | ("GET", "/clinic/patients/{patient}/progress.svg")
        | ("POST", "/clinic/patients/{patient}/program" | "/clinic/patients/{patient}/message")
        | ("POST", "/clinic/patients/{patient}/clearance" | "/api/v1/patients/{patient}/clearance")
        | (
            "POST",
            "/clinic/patients/{patient}/clearance/confirm" | "/api/v1/patients/{patient}/clearance/confirm",
        )
        | (
            "POST",
            "/clinic/patients/{patient}/clearance/withdraw" | "/api/v1/patients/{patient}/clearance/withdraw",
        )
        | (
            "POST",
            "/clinic/patients/{patient}/acknowledgement" | "/api/v1/patients/{patient}/acknowledgements",
        )
        | ("PUT", "/api/v1/patients/{patient}/program")
        | ("POST", "/api/v1/patients/{patient}/messages") => granted_only(),
        _ => return None,
    })
}

/// The world the matrix runs in.
struct World {
    callers: Vec<(Caller, TestApp)>,
    owner_email: String,
    owner_person: String,
    session: Value,
    session_id: String,
    screening_id: String,
    revoked_grant: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = account(&app, "owner@example.org", "patient").await;
    let owner_person = json_of(owner.get("/api/v1/me").await).await.1["person"].as_str().unwrap().to_owned();
    let session = owner.record_session(morning(), 5).await;
    let other = account(&app, "other@example.org", "patient").await;
    other.record_session(morning(), 3).await;
    let granted = account(&app, "granted@example.org", "clinician").await;
    let stranger = account(&app, "stranger@example.org", "clinician").await;
    let revoked = account(&app, "revoked@example.org", "clinician").await;
    invite_and_accept(&owner, &granted).await;
    invite_and_accept(&owner, &revoked).await;
    let (_, grants) = json_of(owner.get("/api/v1/grants").await).await;
    let revoked_grant = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["clinician_email"] == "revoked@example.org")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = owner
        .client
        .delete(owner.url(&format!("/api/v1/grants/{revoked_grant}")))
        .header("x-csrf-token", &owner.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    World {
        owner_email: "owner@example.org".to_owned(),
        owner_person,
        session_id: session["id"].as_str().unwrap().to_owned(),
        session: session.clone(),
        screening_id: session["screening_id"].as_str().unwrap().to_owned(),
        revoked_grant,
        callers: vec![
            (Anonymous, app.visitor()),
            (Owner, owner),
            (OtherPatient, other),
            (Granted, granted),
            (Stranger, stranger),
            (Revoked, revoked),
        ],
    }
}

/// The address with the owner's records in it, or with records that do not
/// exist; and the body to send. A session PUT carries the owner's session
/// under the address's id, so that it is judged on who sends it, not
/// refused for its shape.
fn concrete(method: &str, path: &str, w: &World, real: bool) -> (String, Value) {
    let nobody = Uuid::now_v7().to_string();
    let pick = |value: &str| if real { value.to_owned() } else { nobody.clone() };
    let id = if path.starts_with("/result/") || path.contains("/screenings/") {
        pick(&w.screening_id)
    } else if path.contains("/grants/") {
        pick(&w.revoked_grant)
    } else {
        pick(&w.session_id)
    };
    let body = if method == "PUT" && path == "/api/v1/sessions/{id}" {
        let mut session = w.session.clone();
        session["id"] = json!(id);
        session
    } else {
        json!({})
    };
    let address = path
        .replace("{id}", &id)
        .replace("{patient}", &pick(&w.owner_person))
        .replace("{code}", "ABCD-EFGH-JKMN");
    (address, body)
}

struct Answer {
    status: StatusCode,
    location: String,
    body: String,
}

async fn call(who: &TestApp, method: &str, (path, json): (String, Value)) -> Answer {
    let form = path.starts_with('/') && !path.starts_with("/api/");
    let mut request = who.client.request(Method::from_bytes(method.as_bytes()).unwrap(), who.url(&path));
    if method != "GET" {
        request = if form {
            let body =
                form_urlencoded::Serializer::new(String::new()).append_pair("csrf", &who.csrf).finish();
            request.header("content-type", "application/x-www-form-urlencoded").body(body)
        } else {
            request.header("x-csrf-token", &who.csrf).json(&json)
        };
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let location =
        response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = String::from_utf8_lossy(&response.bytes().await.unwrap()).into_owned();
    Answer { status, location, body }
}

fn denied(a: &Answer) -> bool {
    matches!(a.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        || (a.status.is_redirection() && a.location == "/signin")
}

/// Every route the app serves: the documented API and the page paths, each
/// with the methods it answers (an unserved method is 405).
async fn routes(base: &str) -> BTreeSet<(String, String)> {
    let document: Value = serde_json::from_str(&knead_web::openapi::document_json()).unwrap();
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            found.insert((method.to_uppercase(), path.clone()));
        }
    }
    let client = browser();
    let mut paths: BTreeSet<String> = knead_web::pages::paths().into_iter().map(str::to_owned).collect();
    // Served beside the API, for calendar apps: neither a page nor in the document.
    paths.extend(["/sw.js", "/static/style.css", "/api/openapi.json", "/calendar/{file}"].map(str::to_owned));
    for path in paths {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            let url = format!("{base}{}", path.replace('{', "x").replace('}', ""));
            let response =
                client.request(Method::from_bytes(method.as_bytes()).unwrap(), url).send().await.unwrap();
            if response.status() != StatusCode::METHOD_NOT_ALLOWED {
                found.insert((method.to_owned(), path.clone()));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_route_allows_and_denies_exactly_as_the_policy_says() {
    let mut w = world().await;
    let base = w.callers[0].1.base.clone();
    let routes = routes(&base).await;
    assert!(routes.len() >= 50, "too few routes found: {routes:?}");
    let unlisted: Vec<_> = routes.iter().filter(|(m, p)| expectation(m, p, Anonymous).is_none()).collect();
    assert!(unlisted.is_empty(), "routes without an entry in the access matrix: {unlisted:?}");

    let markers = [&w.owner_email, &w.owner_person, &w.session_id, &w.screening_id];
    let mut checked = 0;
    for (method, path) in &routes {
        // Signing out ends the caller's sign-in: they sign in again after.
        let signs_out = path.contains("sign-out") || path == "/signout";
        for i in 0..w.callers.len() {
            let (caller, who) = (&w.callers[i].0, &w.callers[i].1);
            let expect = expectation(method, path, *caller).unwrap();
            let answer = call(who, method, concrete(method, path, &w, true)).await;
            let what = format!("{method} {path} as {caller:?}: {} {}", answer.status, answer.location);
            assert!(!answer.status.is_server_error(), "{what}: {}", answer.body);
            match expect {
                Allow => assert!(!denied(&answer), "{what} should be allowed: {}", answer.body),
                Deny => assert!(denied(&answer), "{what} should be denied: {}", answer.body),
                Public => {}
            }
            let sees_owner = matches!(caller, Owner) || (expect == Allow && *caller == Granted);
            if !sees_owner {
                for marker in markers {
                    assert!(!answer.body.contains(marker.as_str()), "{what} leaks {marker}: {}", answer.body);
                }
            }
            if expect == Deny && path.contains('{') && *caller != Anonymous {
                let missing = call(who, method, concrete(method, path, &w, false)).await;
                assert_eq!(
                    (missing.status, missing.location, missing.body),
                    (answer.status, answer.location.clone(), answer.body.clone()),
                    "{what}: 'not yours' must look like 'does not exist'"
                );
            }
            checked += 1;
            if signs_out && *caller != Anonymous {
                let email = match caller {
                    Owner => "owner@example.org",
                    OtherPatient => "other@example.org",
                    Granted => "granted@example.org",
                    Stranger => "stranger@example.org",
                    _ => "revoked@example.org",
                };
                w.callers[i].1.sign_in(email).await;
            }
        }
    }
    assert!(checked >= 300, "only {checked} checks ran");
}
