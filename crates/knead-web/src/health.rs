//! `GET /health`: whether this server can serve, for a reverse proxy's
//! health check and a service manager's watchdog. It asks the database for
//! one row, so a server that lost its database is taken out of rotation;
//! it says nothing else (no version, no counts) to whoever asks.

use crate::AppState;
use crate::problem::Problem;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `200 ok` when the database answers, else a `503` problem.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => ([(header::CACHE_CONTROL, "no-store")], "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            Problem::unavailable().into_response()
        }
    }
}
