//! Notices on a person's own devices, by Web Push (RFC 8030): the devices
//! they turn notices on for, and which push services this server sends to.
//!
//! A browser that turns notices on hands over a push subscription: an
//! address at its maker's push service, and the keys a message to it is
//! encrypted to. The server then sends to that address, so an address is
//! taken only at a known push service ([`PushServices`]): otherwise any
//! signed-in person could make the server send requests wherever they
//! like, inside the operator's network too.
//!
//! What a push says is what an e-mail notice says ([`crate::notices`]):
//! that something waits, never what.

use crate::{App, Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use knead_store::mail::{Mailing, PushSubscription};

/// The devices a person is notified on at most: a new one beyond these
/// drops their oldest.
pub const DEVICES_KEPT: u32 = 10;

/// The longest push address taken, in bytes (the push services' own are
/// a few hundred).
pub const ENDPOINT_MAX_BYTES: usize = 1024;

/// The push services of the browsers people use: Chrome, Edge's and
/// Samsung's on Android (Google's), Firefox (Mozilla's), Safari (Apple's),
/// Edge on Windows (Microsoft's).
pub const KNOWN_SERVICES: &[&str] = &[
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.notify.windows.com",
];

/// The push services this server sends to, by origin
/// (`https://fcm.googleapis.com`); `https://*.notify.windows.com` takes
/// any host under `notify.windows.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushServices(Vec<String>);

impl Default for PushServices {
    /// [`KNOWN_SERVICES`].
    fn default() -> Self {
        Self(KNOWN_SERVICES.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl PushServices {
    /// These and `origin` too (an operator's own push service, or a test's
    /// on loopback): `http://` or `https://`, a host and an optional port,
    /// nothing after. The refusal names `push_service`.
    pub fn and(mut self, origin: &str) -> Result<Self> {
        let origin = origin.trim().trim_end_matches('/');
        match split(origin) {
            Some((_, "")) => {
                self.0.push(origin.to_ascii_lowercase());
                Ok(self)
            }
            _ => Err(Error::invalid(
                "push_service",
                "a push service's origin: https:// (or http://) and a host with an optional port, \
                 nothing after it, e.g. https://push.example.org",
            )),
        }
    }

    /// Whether `endpoint` is at one of these services.
    fn takes(&self, endpoint: &str) -> bool {
        let Some((origin, _)) = split(endpoint) else { return false };
        let origin = origin.to_ascii_lowercase();
        self.0.iter().any(|allowed| match allowed.split_once("://*.") {
            Some((scheme, domain)) => origin
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix("://"))
                .and_then(|host| host.strip_suffix(domain))
                .is_some_and(|sub| {
                    sub.ends_with('.') && sub.len() > 1 && !sub[..sub.len() - 1].contains(':')
                }),
            None => *allowed == origin,
        })
    }
}

/// The origin of `address` (`scheme://host[:port]`), when it is an
/// address a device may have (http or https, a plain host and port): what a push service checks a
/// VAPID signature's audience against.
pub fn origin(address: &str) -> Option<&str> {
    split(address).map(|(origin, _)| origin)
}

/// An address split into its origin (`scheme://host[:port]`) and the rest
/// (from the first `/` after the host), when it is one: `http` or `https`,
/// a host of letters, digits, `.`, `-` and an optional `:port`, and no
/// spaces or control characters anywhere.
fn split(address: &str) -> Option<(&str, &str)> {
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let after = address.strip_prefix("https://").or_else(|| address.strip_prefix("http://"))?;
    let host_end = after.find('/').unwrap_or(after.len());
    let host = &after[..host_end];
    let (name, port) = host.split_once(':').unwrap_or((host, "1"));
    let name_ok =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    (name_ok && port_ok).then(|| address.split_at(address.len() - (after.len() - host_end)))
}

/// `value` as base64url (padded or not) of exactly `len` bytes.
fn key(field: &str, value: &str, len: usize, what: &str) -> Result<String> {
    let bytes = URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).ok().filter(|b| b.len() == len);
    match bytes {
        Some(bytes) if len != 65 || bytes[0] == 4 => Ok(URL_SAFE_NO_PAD.encode(bytes)),
        _ => Err(Error::invalid(
            field,
            format!("{what}, base64url, as the browser's push subscription gives it"),
        )),
    }
}

/// A subscription as a browser gave it, checked: the endpoint at a push
/// service this server sends to, the P-256 key (65 bytes, uncompressed)
/// and the authentication secret (16 bytes). Each refusal names its field.
fn checked(services: &PushServices, endpoint: &str, p256dh: &str, auth: &str) -> Result<PushSubscription> {
    if endpoint.len() > ENDPOINT_MAX_BYTES || !services.takes(endpoint) {
        return Err(Error::invalid(
            "endpoint",
            format!(
                "the push service address the browser gave (at most {ENDPOINT_MAX_BYTES} bytes), \
                 at a push service this server sends to"
            ),
        ));
    }
    Ok(PushSubscription {
        endpoint: endpoint.to_owned(),
        p256dh: key("keys.p256dh", p256dh, 65, "the device's P-256 public key (65 bytes, uncompressed)")?,
        auth: key("keys.auth", auth, 16, "the device's authentication secret (16 bytes)")?,
    })
}

impl<S> App<S> {
    /// The push services this server sends to, when it sends pushes.
    pub fn push(&self) -> Option<&PushServices> {
        self.push.as_ref()
    }
}

impl<S: Mailing> App<S> {
    /// Notify `person` on the device `endpoint` is for, from now on (that
    /// device was someone else's: it is theirs now). Refused when this
    /// server sends no pushes; each refusal of the subscription names its
    /// field.
    pub async fn add_device(
        &self,
        person: knead_core::records::PersonId,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<()> {
        let Some(services) = &self.push else {
            return Err(Error::refused(
                "push-off",
                "This server sends no notifications to devices",
                "ask whoever runs this Knead to turn on Web Push, or turn on e-mail notices instead",
            ));
        };
        let device = checked(services, endpoint, p256dh, auth)?;
        Ok(self.store.add_push_subscription(person, &device, self.now(), DEVICES_KEPT).await?)
    }

    /// Stop notifying `person` on the device `endpoint` is for (not theirs,
    /// or not kept: nothing changes).
    pub async fn remove_device(&self, person: knead_core::records::PersonId, endpoint: &str) -> Result<()> {
        Ok(self.store.remove_push_subscription(person, endpoint).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P256DH: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    fn services() -> PushServices {
        PushServices::default().and("http://127.0.0.1:8099").unwrap()
    }

    #[test]
    fn endpoints_are_taken_only_at_known_push_services() {
        let s = services();
        for good in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
            "https://web.push.apple.com/QGx",
            "https://wns2-by3p.notify.windows.com/w/?token=BQYAAA",
            "http://127.0.0.1:8099/push/1",
            "https://FCM.googleapis.com/fcm/send/x",
        ] {
            assert!(s.takes(good), "{good}");
        }
        for bad in [
            "https://fcm.googleapis.com.evil.example/x",
            "https://evil.example/fcm.googleapis.com/",
            "http://fcm.googleapis.com/fcm/send/x",
            "https://notify.windows.com/w/",
            "https://evil.example?.notify.windows.com/w/",
            "http://127.0.0.1:8098/push/1",
            "http://127.0.0.1/push/1",
            "http://169.254.169.254/latest/meta-data",
            "https://fcm.googleapis.com@evil.example/x",
            "https://fcm.googleapis.com /x",
            "fcm.googleapis.com/x",
            "",
        ] {
            assert!(!s.takes(bad), "{bad}");
        }
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(origin("https://fcm.googleapis.com/fcm/send/x"), Some("https://fcm.googleapis.com"));
        assert_eq!(origin("http://127.0.0.1:8099"), Some("http://127.0.0.1:8099"));
        assert_eq!(origin("nothing"), None);
    }

    #[test]
    fn a_push_service_is_an_origin_only() {
        assert!(PushServices::default().and("https://push.example.org/").is_ok());
        for bad in ["push.example.org", "https://push.example.org/path", "ftp://x", "https://", "http://a b"]
        {
            assert!(PushServices::default().and(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_checked_and_kept_unpadded() {
        let s = services();
        let endpoint = "http://127.0.0.1:8099/push/1";
        let device = checked(&s, endpoint, &format!("{P256DH}="), AUTH).unwrap();
        assert_eq!((device.p256dh.as_str(), device.auth.as_str()), (P256DH, AUTH));
        let field = |r: Result<PushSubscription>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(checked(&s, endpoint, AUTH, AUTH)), "keys.p256dh");
        assert_eq!(field(checked(&s, endpoint, &P256DH.replacen('B', "A", 1), AUTH)), "keys.p256dh");
        assert_eq!(field(checked(&s, endpoint, P256DH, "not base64!")), "keys.auth");
        assert_eq!(field(checked(&s, "https://evil.example/x", P256DH, AUTH)), "endpoint");
        let long = format!("{endpoint}/{}", "a".repeat(ENDPOINT_MAX_BYTES));
        assert_eq!(field(checked(&s, &long, P256DH, AUTH)), "endpoint");
    }
}
