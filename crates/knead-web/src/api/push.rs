//! Notices on your devices (Web Push): whether this server sends them and
//! the key a browser subscribes with, and turning a device on or off.

use super::body::JsonBody;
use crate::AppState;
use crate::auth::Someone;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether this server notifies devices, and the key to subscribe with.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushSettingsOut {
    /// Whether this server sends notices to devices at all (its operator
    /// turned Web Push on).
    pub available: bool,
    /// The site's public key (VAPID, P-256, base64url): the
    /// `applicationServerKey` to subscribe with. Absent when unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Device {
    /// The push service's address for this device.
    pub endpoint: String,
    /// When the subscription ends, if the browser says (not used).
    #[serde(default)]
    pub expiration_time: Option<f64>,
    /// The keys a notice to this device is encrypted to.
    pub keys: DeviceKeys,
}

/// A device's keys (RFC 8291).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceKeys {
    /// Its P-256 public key, base64url (65 bytes, uncompressed).
    pub p256dh: String,
    /// Its authentication secret, base64url (16 bytes).
    pub auth: String,
}

/// A device to turn off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceOff {
    /// The push service's address for the device.
    pub endpoint: String,
}

/// Whether this server notifies devices, and the key to subscribe with.
#[utoipa::path(get, path = "/api/v1/me/push", tag = "account",
    responses((status = 200, body = PushSettingsOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_push(State(state): State<AppState>, _someone: Someone) -> ApiResult<Json<PushSettingsOut>> {
    let key = state.push_key().await?;
    Ok(Json(PushSettingsOut { available: key.is_some(), key }))
}

/// Turn notices on for this device: a new message (and, for a clinician,
/// a patient's screening that calls for a doctor) shows a notification
/// on it, which says only that something waits in Knead.
///
/// A device another account turned on is yours from now on. The newest
/// 10 devices are kept.
#[utoipa::path(post, path = "/api/v1/me/devices", tag = "account", request_body = Device,
    responses(
        (status = 204, description = "This device gets notices"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 409, description = "This server sends no notices to devices", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn add_device(
    State(state): State<AppState>,
    someone: Someone,
    JsonBody(d): JsonBody<Device>,
) -> ApiResult<StatusCode> {
    state.app.add_device(someone.person(), &d.endpoint, &d.keys.p256dh, &d.keys.auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turn notices off for this device.
#[utoipa::path(delete, path = "/api/v1/me/devices", tag = "account", request_body = DeviceOff,
    responses(
        (status = 204, description = "This device gets no notices (or got none)"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
    ))]
pub async fn remove_device(
    State(state): State<AppState>,
    someone: Someone,
    JsonBody(d): JsonBody<DeviceOff>,
) -> ApiResult<StatusCode> {
    state.app.remove_device(someone.person(), &d.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
