//! The installable app's files (styles, scripts, icons, manifest, service
//! worker), built into the binary so a server is one file.

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

/// `/static/…`, and `/sw.js` at the root so the service worker's scope is the whole app.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/{*path}",
            get(|Path(path): Path<String>| async move { file(&path, "public, max-age=3600") }),
        )
        .route("/sw.js", get(|| async { file("sw.js", "no-cache") }))
}

fn file(path: &str, cache: &'static str) -> Response {
    match Static::get(path) {
        Some(found) => {
            let mime = found.metadata.mimetype().to_owned();
            ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache.to_owned())], found.data)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
