//! Web Push out to the push services: what the application queued for a
//! device ([`knead_app::notices`]) is encrypted to that device (RFC 8291,
//! `aes128gcm` of RFC 8188), signed for by this site (VAPID, RFC 8292)
//! and posted to the device's push service (RFC 8030).
//!
//! The site's VAPID key is made by the first server that needs it and kept
//! in the database ([`knead_store::mail::Mailing::server_key`]), so every server of one
//! database signs as the same site and a browser's subscription, made
//! against that key, keeps working after restarts and across servers.
//!
//! Nothing about a person is logged: a failure is logged by the push
//! service's status only, never the device's address.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use knead_app::outbox::Unsent;
use knead_app::push::PushServices;
use knead_store::any::AnyStore;
use knead_store::mail::{Mailing as _, PushSubscription};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use ring::{aead, agreement, hmac};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// How long a push service keeps a message for a device that is off: a
/// day, after which a notice about it is stale.
pub const TTL_SECONDS: u32 = 24 * 60 * 60;

/// How long a VAPID signature is good for (RFC 8292 allows up to a day).
const SIGNATURE_HOURS: i64 = 12;

/// The name the VAPID key is kept under: a P-256 key in PKCS#8, base64.
const KEY_NAME: &str = "vapid-p256-pkcs8";

/// How a server sends pushes: to which push services, whom the push
/// services may contact about it, and its key.
#[derive(Clone)]
pub struct PushSettings {
    /// The push services a device's address may be at.
    pub services: PushServices,
    /// Whom a push service may contact about this site's pushes (VAPID's
    /// `sub`): the site's address, or `mailto:` an operator.
    contact: String,
    client: reqwest::Client,
    key: Arc<OnceCell<Vapid>>,
}

impl std::fmt::Debug for PushSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushSettings").field("services", &self.services).finish_non_exhaustive()
    }
}

impl PushSettings {
    /// Settings for `services`, naming `contact` (`https://…` or `mailto:…`)
    /// to them; the error names `push_contact`.
    pub fn new(services: PushServices, contact: &str) -> Result<Self, String> {
        let ok = contact.starts_with("mailto:") && contact.len() > 7
            || knead_app::notices::Site::parse(contact).is_ok();
        if !ok {
            return Err("push_contact: whom push services may contact about this site: its https:// \
                        address, or mailto: an operator's address"
                .to_owned());
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("push: the HTTP client cannot start: {e}"))?;
        Ok(Self { services, contact: contact.trim_end_matches('/').to_owned(), client, key: Arc::default() })
    }

    /// The site's VAPID public key (65 bytes, uncompressed), base64url, as
    /// a browser subscribes with it (`applicationServerKey`); see also
    /// [`crate::AppState::push_key`].
    pub async fn public_key(&self, store: &AnyStore) -> Result<String, knead_store::StoreError> {
        Ok(URL_SAFE_NO_PAD.encode(self.vapid(store).await?.public()))
    }

    async fn vapid(&self, store: &AnyStore) -> Result<&Vapid, knead_store::StoreError> {
        self.key
            .get_or_try_init(|| async {
                let kept = store.server_key(KEY_NAME, &Vapid::make()).await?;
                Vapid::from_kept(&kept)
                    .map_err(|e| knead_store::StoreError::Corrupt(format!("server key {KEY_NAME}: {e}")))
            })
            .await
    }

    /// Encrypt `payload` to `device`, sign for it and post it to the
    /// device's push service.
    pub async fn send(
        &self,
        store: &AnyStore,
        device: &PushSubscription,
        payload: &[u8],
    ) -> Result<(), Unsent> {
        let later = |why: String| Unsent::Later(why);
        let vapid = self.vapid(store).await.map_err(|e| later(format!("the site's push key: {e}")))?;
        let body = encrypt(device, payload).map_err(later)?;
        let audience = knead_app::push::origin(&device.endpoint)
            .ok_or_else(|| later("the device's address".to_owned()))?;
        // The push service checks the signature's expiry against the real
        // time, whatever clock the application keeps (a test's is fixed).
        #[allow(clippy::disallowed_methods)]
        let now = chrono::Utc::now().timestamp();
        let token = vapid.sign(audience, &self.contact, now + SIGNATURE_HOURS * 3600);
        let answer = self
            .client
            .post(&device.endpoint)
            .header("TTL", TTL_SECONDS.to_string())
            .header("Urgency", "normal")
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", format!("vapid t={token}, k={}", URL_SAFE_NO_PAD.encode(vapid.public())))
            .body(body)
            .send()
            .await
            .map_err(|e| {
                later(
                    if e.is_timeout() { "push service timed out" } else { "push service unreachable" }
                        .to_owned(),
                )
            })?;
        match answer.status().as_u16() {
            200..=299 => Ok(()),
            // RFC 8030 §7.3: the subscription expired or was withdrawn.
            404 | 410 => Err(Unsent::Gone),
            code => Err(later(format!("push service answered {code}"))),
        }
    }
}

/// The site's VAPID key.
struct Vapid {
    pair: EcdsaKeyPair,
}

impl Vapid {
    /// A new key, as kept: PKCS#8, base64.
    fn make() -> String {
        let rng = SystemRandom::new();
        // ring fails here only without a system random source, where
        // nothing in this server can work.
        #[allow(clippy::expect_used)]
        let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("the system's random source works");
        STANDARD.encode(document.as_ref())
    }

    fn from_kept(kept: &str) -> Result<Self, String> {
        let document = STANDARD.decode(kept).map_err(|e| format!("not base64: {e}"))?;
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &document, &SystemRandom::new())
                .map_err(|e| format!("not a P-256 key in PKCS#8: {e}"))?;
        Ok(Self { pair })
    }

    fn public(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// A JWT (ES256) for `audience`, naming `contact`, good until `expires`
    /// (seconds since 1970).
    fn sign(&self, audience: &str, contact: &str, expires: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": expires, "sub": contact });
        let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        // Signing with a key ring parsed fails only without randomness.
        #[allow(clippy::expect_used)]
        let signature = self.pair.sign(&SystemRandom::new(), signed.as_bytes()).expect("signing works");
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}

/// The record size written in the header: the whole payload is one record.
const RECORD_SIZE: u32 = 4096;

/// HMAC-SHA-256 of `parts`, keyed by `key`: HKDF's extract, and its expand
/// for a single block (all RFC 8291 needs).
fn hmac_of(key: &[u8], parts: &[&[u8]]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
    for part in parts {
        context.update(part);
    }
    context.sign()
}

/// `payload` encrypted to `device` as RFC 8291 says: an ephemeral P-256
/// key agreed with the device's, mixed with its authentication secret,
/// and a random salt, into one `aes128gcm` record (RFC 8188), with the
/// salt, the record size and the ephemeral public key in front.
fn encrypt(device: &PushSubscription, payload: &[u8]) -> Result<Vec<u8>, String> {
    let decode = |field: &str, value: &str| {
        URL_SAFE_NO_PAD.decode(value).map_err(|_| format!("the device's {field} is not base64url"))
    };
    let (device_key, auth) = (decode("p256dh", &device.p256dh)?, decode("auth", &device.auth)?);
    if payload.len() + 1 + 16 > RECORD_SIZE as usize {
        return Err("the payload is longer than one record".to_owned());
    }
    let rng = SystemRandom::new();
    let ephemeral = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
        .map_err(|_| "no ephemeral key".to_owned())?;
    let server_key = ephemeral.compute_public_key().map_err(|_| "no ephemeral public key".to_owned())?;
    let server_key = server_key.as_ref().to_vec();
    let shared = agreement::agree_ephemeral(
        ephemeral,
        &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &device_key),
        <[u8]>::to_vec,
    )
    .map_err(|_| "the device's key is not a P-256 point".to_owned())?;
    // RFC 8291 §3.4: the input keying material from the shared secret and
    // the device's authentication secret, bound to both public keys.
    let prk_key = hmac_of(&auth, &[&shared]);
    let ikm = hmac_of(prk_key.as_ref(), &[b"WebPush: info\0", &device_key, &server_key, &[1]]);
    let mut salt = [0_u8; 16];
    rng.fill(&mut salt).map_err(|_| "no salt".to_owned())?;
    // RFC 8188 §2.2: the content key and nonce.
    let prk = hmac_of(&salt, &[ikm.as_ref()]);
    let cek = hmac_of(prk.as_ref(), &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac_of(prk.as_ref(), &[b"Content-Encoding: nonce\0", &[1]]);
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek.as_ref()[..16])
            .map_err(|_| "no content key".to_owned())?,
    );
    let nonce =
        aead::Nonce::try_assume_unique_for_key(&nonce.as_ref()[..12]).map_err(|_| "no nonce".to_owned())?;
    // One record, the last: the payload and its delimiter, 2.
    let mut record = payload.to_vec();
    record.push(2);
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), &mut record)
        .map_err(|_| "sealing failed".to_owned())?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + server_key.len() + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(u8::try_from(server_key.len()).map_err(|_| "key too long".to_owned())?);
    body.extend_from_slice(&server_key);
    body.extend_from_slice(&record);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_key_signs_verifiably() {
        let vapid = Vapid::from_kept(&Vapid::make()).unwrap();
        let token = vapid.sign("https://push.example.org", "mailto:ops@example.org", 1_900_000_000);
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            vapid.public(),
        );
        public.verify(signed.as_bytes(), &URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
        let claims = URL_SAFE_NO_PAD.decode(signed.split('.').nth(1).unwrap()).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
        assert_eq!(claims["aud"], "https://push.example.org");
        assert_eq!(claims["exp"], 1_900_000_000);
        assert!(Vapid::from_kept("AAAA").is_err());
    }
}
