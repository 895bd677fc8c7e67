//! The rule for a new password, written once for every interface that
//! sets one.
//!
//! Length alone let `password123` in: it is among the first passwords any
//! guesser tries, and a limit of ten guesses per account does not stop a
//! guesser who tries it on every account. So a new password must also be
//! hard to guess, as judged by zxcvbn (Dropbox's estimator, the Rust
//! port): it knows the most common passwords of public breach lists,
//! English words, names, keyboard walks, dates, repeats and l33t
//! substitutions, and it counts the person's own address against them.
//! It must score at least [`MIN_SCORE`] of 4: at least 10^8 guesses,
//! which zxcvbn calls "safely unguessable: moderate protection from an
//! offline slow-hash attack", so it holds against someone who copies the
//! database and runs argon2 on it, not only against the online limits
//! of [`crate::attempts`]. No
//! rule about kinds of characters: NIST SP 800-63B advises against them,
//! and a phrase of a few words passes.
//!
//! The refusal names `password`, says what is allowed and why this one is
//! not (zxcvbn's warning, such as "This is a top-10 common password."),
//! and never repeats the password.

use crate::{Error, Result};

/// Fewest characters.
pub const MIN_CHARS: usize = 10;

/// Most characters: enough for any passphrase, few enough to hash.
pub const MAX_CHARS: usize = 256;

/// The lowest zxcvbn score (0 to 4) a new password may have: 3 means
/// zxcvbn expects it to take at least 10^8 guesses.
pub const MIN_SCORE: u8 = 3;

/// What is allowed, in words, for forms and errors alike.
pub const ALLOWED: &str = "10 to 256 characters that are hard to guess: not a common password, a word \
    with a few digits, a keyboard pattern or your address; a few unrelated words work well";

/// A new password that passed the rule. It cannot be printed: its `Debug`
/// hides it.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Check `text` as the new password of the account `email`; the error
    /// names `password`, says what is allowed and why this one is not.
    pub fn parse(text: &str, email: &str) -> Result<Self> {
        let n = text.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&n) {
            return Err(Error::invalid(
                "password",
                format!("allowed: {ALLOWED}; this one has {n} characters"),
            ));
        }
        let local = email.split_once('@').map_or(email, |(local, _)| local);
        let estimate = zxcvbn::zxcvbn(text, &[email, local]);
        if u8::from(estimate.score()) < MIN_SCORE {
            let why = estimate
                .feedback()
                .and_then(zxcvbn::feedback::Feedback::warning)
                .map_or_else(|| "It is too easy to guess.".to_owned(), |w| w.to_string());
            return Err(Error::invalid("password", format!("allowed: {ALLOWED}. {why}")));
        }
        Ok(Self(text.to_owned()))
    }

    /// The password, to hash.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}
