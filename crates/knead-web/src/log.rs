//! One log line per request, without personal data: the method, the route
//! as declared (`/api/v1/sessions/{id}`, never the id or the query), the
//! status and the time taken. Bodies, cookies and addresses are never logged.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Log the request after it is answered.
pub async fn requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route =
        request.extensions().get::<MatchedPath>().map_or("(no route)".to_owned(), |p| p.as_str().to_owned());
    let started = tokio::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(%method, %route, status, ms, "request failed");
    } else {
        tracing::info!(%method, %route, status, ms, "request");
    }
    response
}
