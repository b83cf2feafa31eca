//! One-time tokens for links sent by email (sign-in, invitations, resets).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// A secret token: 32 random bytes as unpadded base64url (43 characters).
///
/// Only its [`Token::hash`] is stored. It has no `Display` or `Serialize`
/// and its `Debug` hides it, so it cannot leak into logs by accident.
#[derive(Clone)]
pub struct Token(String);

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not 43 characters of unpadded base64url.
    #[error("This link is not valid.")]
    Malformed,
}

/// Length of 32 bytes as unpadded base64: ceil(32 * 4 / 3).
pub(crate) const ENCODED_LEN: usize = 43;

impl Token {
    /// Encodes 32 bytes the caller drew from a secure random source (this
    /// crate has no randomness of its own).
    pub fn from_bytes(bytes: [u8; 32]) -> Token {
        Token(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Parses a token from a link: exactly 43 characters of `A-Z a-z 0-9 _ -`.
    pub fn parse(input: &str) -> Result<Token, TokenError> {
        if is_encoded_32_bytes(input) {
            Ok(Token(input.to_owned()))
        } else {
            Err(TokenError::Malformed)
        }
    }

    /// The secret itself, for building the link. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The 32 bytes the token encodes.
    pub fn bytes(&self) -> Option<[u8; 32]> {
        URL_SAFE_NO_PAD
            .decode(&self.0)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
    }

    /// SHA-256 of the token text: what the database stores and looks up.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// Whether `s` has the shape of 32 bytes as unpadded base64url.
pub(crate) fn is_encoded_32_bytes(s: &str) -> bool {
    s.len() == ENCODED_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_characters_of_base64url() {
        let token = Token::from_bytes([0xfb; 32]);
        assert_eq!(token.expose().len(), 43);
        assert!(!token.expose().contains(['+', '/', '=']));
    }

    #[test]
    fn a_token_round_trips_through_parse() {
        let token = Token::from_bytes([7; 32]);
        let parsed = Token::parse(token.expose()).unwrap();
        assert_eq!(parsed.expose(), token.expose());
    }

    #[test]
    fn a_token_of_the_wrong_length_is_refused() {
        let token = Token::from_bytes([7; 32]);
        let short = &token.expose()[..42];
        let long = format!("{}A", token.expose());
        assert_eq!(Token::parse(short).unwrap_err(), TokenError::Malformed);
        assert_eq!(Token::parse(&long).unwrap_err(), TokenError::Malformed);
        assert_eq!(Token::parse("").unwrap_err(), TokenError::Malformed);
    }

    #[test]
    fn a_token_with_other_characters_is_refused() {
        let bad = format!("{}+", "A".repeat(42));
        assert_eq!(Token::parse(&bad).unwrap_err(), TokenError::Malformed);
        let padded = format!(" {}", "A".repeat(42));
        assert_eq!(Token::parse(&padded).unwrap_err(), TokenError::Malformed);
    }

    #[test]
    fn the_hash_is_sha256_of_the_token_text() {
        let token = Token::from_bytes([0; 32]);
        assert_eq!(
            token.expose(),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        );
        let expected: [u8; 32] = Sha256::digest(token.expose().as_bytes()).into();
        assert_eq!(token.hash(), expected);
        assert_ne!(token.hash(), Token::from_bytes([1; 32]).hash());
    }

    #[test]
    fn a_token_gives_back_its_bytes() {
        assert_eq!(Token::from_bytes([5; 32]).bytes(), Some([5; 32]));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let token = Token::from_bytes([9; 32]);
        assert_eq!(format!("{token:?}"), "Token(…)");
    }

    #[test]
    fn the_message_is_for_someone_who_clicked_a_link() {
        assert_eq!(TokenError::Malformed.to_string(), "This link is not valid.");
    }
}
