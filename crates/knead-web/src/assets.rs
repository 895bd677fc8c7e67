//! The installable app's files (styles, scripts, icons, manifest, service
//! worker), built into the binary so a server is one file, and the content
//! pack's step figures.

use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use knead_core::pack::{FIGURES_DIR, Figure};
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
        .route("/figures/{name}", get(figure))
}

/// Where a page finds a step's figure: the pack's file name under the root
/// (`figures/NAME.svg` is served at `/figures/NAME.svg`).
pub fn figure_src(figure: &Figure) -> String {
    format!("/{}", figure.file)
}

/// What a figure may do if opened on its own: nothing but draw.
const FIGURE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/// `GET /figures/{name}`: a step's figure from the pack (checked when the
/// pack loaded: a drawing, no script, nothing fetched). Public, like the
/// pack; the security headers come from the outer layer, and a stricter
/// policy of its own in case it is opened as a page.
async fn figure(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.config.pack.figure(&format!("{FIGURES_DIR}/{name}")) {
        Some(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
                (header::CONTENT_SECURITY_POLICY, FIGURE_CSP),
            ],
            svg.to_owned(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
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
