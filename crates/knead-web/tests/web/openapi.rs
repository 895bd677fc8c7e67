//! The OpenAPI document: what is served is what is committed, and it
//! describes every route the API serves.

use crate::support::{browser, spawn_app, text_of};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The committed document.
fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app().await;
    let (status, kind, served) = text_of(app.get("/api/openapi.json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/json");
    assert_eq!(served, knead_web::openapi::document_json(), "served as built");
    let path = committed_path();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &served).unwrap();
        eprintln!("UPDATE_OPENAPI=1: wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == served,
        "{} differs from the document the server serves (or is missing). If the API change is \
         intended, regenerate it with `UPDATE_OPENAPI=1 cargo test -p knead-web --test web openapi` \
         and commit it.",
        path.display()
    );
    let document: Value = serde_json::from_str(&served).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    assert_eq!(document["info"]["title"], "Knead API");
}

/// Every route under `/api/v1`, method and path: the list a new route
/// must be added to, so that this test notices a route missing from the
/// document.
const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/accounts"),
    ("POST", "/api/v1/sign-in"),
    ("POST", "/api/v1/password-links"),
    ("POST", "/api/v1/password-links/use"),
    ("POST", "/api/v1/email-links/use"),
    ("GET", "/api/v1/me/notices"),
    ("PUT", "/api/v1/me/notices"),
    ("GET", "/api/v1/me/push"),
    ("POST", "/api/v1/me/devices"),
    ("DELETE", "/api/v1/me/devices"),
    ("POST", "/api/v1/me/email"),
    ("POST", "/api/v1/sign-out"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/screenings"),
    ("GET", "/api/v1/screenings"),
    ("POST", "/api/v1/plans"),
    ("GET", "/api/v1/sessions"),
    ("GET", "/api/v1/sessions/{id}"),
    ("PUT", "/api/v1/sessions/{id}"),
    ("GET", "/api/v1/progress"),
    ("POST", "/api/v1/checkins"),
    ("GET", "/api/v1/checkins"),
    ("GET", "/api/v1/me/fhir"),
    ("GET", "/api/v1/me/journal"),
    ("DELETE", "/api/v1/me"),
    ("PUT", "/api/v1/me/password"),
    ("POST", "/api/v1/me/sign-out-everywhere"),
    ("PUT", "/api/v1/calendar"),
    ("GET", "/api/v1/calendar"),
    ("DELETE", "/api/v1/calendar"),
    ("POST", "/api/v1/invitations"),
    ("POST", "/api/v1/invitations/accept"),
    ("GET", "/api/v1/grants"),
    ("DELETE", "/api/v1/grants/{id}"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/messages"),
    ("POST", "/api/v1/messages"),
    ("POST", "/api/v1/messages/read"),
    ("GET", "/api/v1/threads"),
    ("GET", "/api/v1/program"),
    ("GET", "/api/v1/patients"),
    ("GET", "/api/v1/patients/{patient}"),
    ("PUT", "/api/v1/patients/{patient}/program"),
    ("POST", "/api/v1/patients/{patient}/messages"),
    ("POST", "/api/v1/patients/{patient}/clearance"),
    ("PUT", "/api/v1/me/name"),
    ("POST", "/api/v1/patients/{patient}/clearance/confirm"),
    ("POST", "/api/v1/patients/{patient}/clearance/withdraw"),
    ("POST", "/api/v1/patients/{patient}/acknowledgements"),
];

fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method.as_str()) {
                found.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

/// Whether the server routes `method path` (a 404 from no route has an
/// empty body; a handler's 404 is a problem).
async fn served(base: &str, method: &str, path: &str) -> bool {
    let path = path
        .replace("{id}", "0190a0a0-0000-7000-8000-000000000000")
        .replace("{patient}", "0190a0a0-0000-7000-8000-000000000000");
    let response = browser()
        .request(Method::from_bytes(method.as_bytes()).unwrap(), format!("{base}{path}"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    !(status == StatusCode::METHOD_NOT_ALLOWED || (status == StatusCode::NOT_FOUND && body.is_empty()))
}

#[tokio::test]
async fn every_api_route_is_documented_and_every_documented_route_is_served() {
    let app = spawn_app().await;
    let document: Value = serde_json::from_str(&knead_web::openapi::document_json()).unwrap();
    let documented = documented(&document);
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(documented, listed, "the document's routes and this test's list differ");

    for (method, path) in &listed {
        assert!(served(&app.base, method, path).await, "{method} {path} is documented but not served");
    }
    // The methods a path is not documented for are not served either.
    for path in listed.iter().map(|(_, p)| p).collect::<BTreeSet<_>>() {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if !listed.contains(&(method.to_owned(), path.clone())) {
                assert!(
                    !served(&app.base, method, path).await,
                    "{method} {path} is served but not documented"
                );
            }
        }
    }
    // And no route under /api/v1 is registered in the sources outside the document.
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices(".route(\"/api/v1") {
                    let route = text[i + 8..].split('"').next().unwrap();
                    assert!(
                        listed.iter().any(|(_, p)| p == route),
                        "{} registers {route} outside the OpenAPI document",
                        path.display()
                    );
                }
            }
        }
    }
}
