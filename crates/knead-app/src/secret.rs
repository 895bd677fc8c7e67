//! Secrets the application hands out and keeps only as hashes: sign-in
//! tokens, calendar addresses, invitation codes. The store keeps the
//! SHA-256 of each, so a copy of the database opens nothing.

use crate::{Error, Result};
use sha2::{Digest as _, Sha256};

/// `N` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// The SHA-256 of a secret, in lowercase hex: what the store keeps.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
