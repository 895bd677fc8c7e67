//! The rule for a new password: common and guessable ones are refused
//! with a reason naming `password`; a passphrase passes.

use knead_app::Error;
use knead_app::password::NewPassword;

/// The refusal's message, asserting it names `password`.
fn refusal(text: &str, email: &str) -> String {
    match NewPassword::parse(text, email) {
        Err(Error::Invalid { field, message }) => {
            assert_eq!(field, "password");
            assert!(message.starts_with("allowed: 10 to 256 characters"), "{message}");
            assert!(!message.contains(text), "the password is not repeated: {message}");
            message
        }
        other => panic!("{text:?} was not refused: {other:?}"),
    }
}

#[test]
fn common_and_breached_passwords_are_refused_with_the_reason() {
    let top = refusal("password123", "ana@example.org");
    assert!(top.contains("common password"), "{top}");
    for text in ["1234567890", "qwertyuiop", "iloveyou123", "Password1!", "football2024", "aaaaaaaaaaaa"] {
        refusal(text, "ana@example.org");
    }
}

#[test]
fn the_persons_own_address_is_no_password() {
    refusal("ana.lopez1987", "ana.lopez1987@example.org");
}

#[test]
fn length_is_checked_first_and_said_in_numbers() {
    assert!(refusal("short", "ana@example.org").contains("this one has 5 characters"));
    let long = "x".repeat(257);
    assert!(refusal(&long, "ana@example.org").contains("this one has 257 characters"));
}

#[test]
fn a_few_unrelated_words_pass() {
    for text in ["correct horse battery", "a long and private phrase", "mauve kettle on tuesdays"] {
        assert!(NewPassword::parse(text, "ana@example.org").is_ok(), "{text}");
    }
    // Its Debug never shows it.
    let password = NewPassword::parse("correct horse battery", "ana@example.org").unwrap();
    assert_eq!(format!("{password:?}"), "NewPassword(…)");
}
