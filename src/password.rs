//! Passwords.

use std::fmt;

/// A password of acceptable length, exactly as typed (never trimmed: spaces
/// are legitimate password characters).
///
/// It has no `Display` or `Serialize` and its `Debug` hides it, so it cannot
/// leak into logs by accident.
#[derive(Clone)]
pub struct Password(String);

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`Password::MIN_CHARS`] characters.
    #[error("Use at least 8 characters.")]
    TooShort,
    /// More than [`Password::MAX_CHARS`] characters.
    #[error("Use at most 128 characters.")]
    TooLong,
    /// Holds the NUL character, which no form field may (it cannot reach the database,
    /// and browsers never type it).
    #[error("Remove the NUL character (\\0): a password can't contain it.")]
    NulCharacter,
    /// Found by the server's common-password check (never by [`Password::parse`]).
    #[error("This password is too common or easy to guess; add words or length.")]
    TooCommon,
}

impl Password {
    /// The fewest characters accepted.
    pub const MIN_CHARS: usize = 8;
    /// The most characters accepted; bounds the cost of hashing.
    pub const MAX_CHARS: usize = 128;

    /// Checks the length (in characters, not bytes) and keeps the password.
    pub fn parse(input: String) -> Result<Password, PasswordError> {
        match length_hint(&input) {
            Some(error) => Err(error),
            None => Ok(Password(input)),
        }
    }

    /// The password itself, for hashing. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A stored password hash in PHC string form (`$argon2id$v=19$m=…$salt$hash`).
///
/// Only ever written to the database, never read back by request traffic (which sees the
/// hash's setting, its algorithm, parameters and salt, and asks the database to compare;
/// see `docs/security.md`). Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string made by the hasher.
    pub fn new(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }

    /// The PHC string, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// The length problem with `input`, if any, for live feedback while typing.
/// Uses the same rules as [`Password::parse`] without taking the string.
pub fn length_hint(input: &str) -> Option<PasswordError> {
    let chars = input.chars().count();
    if input.contains('\0') {
        Some(PasswordError::NulCharacter)
    } else if chars < Password::MIN_CHARS {
        Some(PasswordError::TooShort)
    } else if chars > Password::MAX_CHARS {
        Some(PasswordError::TooLong)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_characters_are_enough() {
        assert_eq!(
            Password::parse("abcdefgh".to_owned()).unwrap().expose(),
            "abcdefgh"
        );
    }

    #[test]
    fn seven_characters_are_too_short() {
        assert_eq!(
            Password::parse("abcdefg".to_owned()).unwrap_err(),
            PasswordError::TooShort
        );
    }

    #[test]
    fn more_than_128_characters_are_too_long() {
        assert!(Password::parse("a".repeat(128)).is_ok());
        assert_eq!(
            Password::parse("a".repeat(129)).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // Eight characters, sixteen bytes.
        assert!(Password::parse("éééééééé".to_owned()).is_ok());
        // 128 characters, 256 bytes.
        assert!(Password::parse("é".repeat(128)).is_ok());
    }

    #[test]
    fn a_password_is_never_trimmed() {
        let password = Password::parse("  spaced  ".to_owned()).unwrap();
        assert_eq!(password.expose(), "  spaced  ");
        assert_eq!(
            Password::parse("  abc  ".to_owned()).unwrap_err(),
            PasswordError::TooShort
        );
    }

    #[test]
    fn the_length_hint_matches_parse() {
        assert_eq!(length_hint("short"), Some(PasswordError::TooShort));
        assert_eq!(length_hint(&"a".repeat(129)), Some(PasswordError::TooLong));
        assert_eq!(length_hint("long enough"), None);
    }

    #[test]
    fn a_nul_character_is_refused() {
        assert_eq!(
            Password::parse("long enough\0".to_owned()).unwrap_err(),
            PasswordError::NulCharacter
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let password = Password::parse("hunter2hunter2".to_owned()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(…)");
    }

    #[test]
    fn messages_are_sentences_a_user_can_act_on() {
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "Use at least 8 characters."
        );
        assert_eq!(
            PasswordError::TooLong.to_string(),
            "Use at most 128 characters."
        );
        assert_eq!(
            PasswordError::TooCommon.to_string(),
            "This password is too common or easy to guess; add words or length."
        );
    }
}
