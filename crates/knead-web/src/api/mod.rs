//! The REST API under `/api/v1`: JSON in and out, problem details on error.
//! Each handler is described for the OpenAPI document next to its code.

pub mod account;
pub mod body;
pub mod calendar;
pub mod clinic;
pub mod exchange;
pub mod journal;
pub mod mail;
pub mod program;
pub mod push;
pub mod screening;
pub mod sharing;

use crate::AppState;
use crate::openapi::ApiDoc;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every API route, with its description. Signing in, signing up and
/// accepting an invitation count their attempts in the application
/// ([`knead_app::attempts`]), together with the pages'.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(account::sign_up))
        .routes(routes!(account::sign_in))
        .routes(routes!(clinic::accept_invitation))
        .routes(routes!(account::sign_out))
        .routes(routes!(account::me, account::erase))
        .routes(routes!(account::change_password))
        .routes(routes!(account::set_display_name))
        .routes(routes!(account::sign_out_everywhere))
        .routes(routes!(mail::get_notices, mail::put_notices))
        .routes(routes!(mail::ask_for_password_link))
        .routes(routes!(mail::use_password_link))
        .routes(routes!(mail::ask_for_address_link))
        .routes(routes!(mail::use_address_link))
        .routes(routes!(push::get_push))
        .routes(routes!(push::add_device, push::remove_device))
        .routes(routes!(screening::create_screening, screening::list_screenings))
        .routes(routes!(screening::create_plan))
        .routes(routes!(journal::list_sessions))
        .routes(routes!(journal::put_session, journal::get_session))
        .routes(routes!(journal::progress))
        .routes(routes!(journal::create_checkin, journal::list_checkins))
        .routes(routes!(exchange::fhir_bundle))
        .routes(routes!(exchange::journal))
        .routes(routes!(calendar::put_calendar, calendar::get_calendar, calendar::delete_calendar))
        .routes(routes!(sharing::create_invitation))
        .routes(routes!(sharing::list_grants))
        .routes(routes!(sharing::revoke_grant))
        .routes(routes!(sharing::audit_log))
        .routes(routes!(sharing::list_messages, sharing::reply))
        .routes(routes!(sharing::read_messages))
        .routes(routes!(sharing::list_threads))
        .routes(routes!(sharing::my_program))
        .routes(routes!(clinic::list_patients))
        .routes(routes!(clinic::get_patient))
        .routes(routes!(clinic::assign_program))
        .routes(routes!(clinic::post_message))
        .routes(routes!(clinic::clear))
        .routes(routes!(clinic::confirm_clearance))
        .routes(routes!(clinic::withdraw_clearance))
        .routes(routes!(clinic::acknowledge))
        .route("/api/openapi.json", axum::routing::get(crate::openapi::serve_document))
        // The reminders' address, for a calendar app (not a page, not in the document).
        .route("/calendar/{file}", axum::routing::get(calendar::feed_ics))
}
