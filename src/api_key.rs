//! API keys for the lead intake endpoint.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::token::is_encoded_32_bytes;

/// A secret API key: `hcrm_` followed by 32 random bytes as unpadded
/// base64url, 48 characters in all.
///
/// Only its [`ApiKey::hash`] and [`ApiKey::display_prefix`] are stored. It has
/// no `Display` or `Serialize` and its `Debug` shows only the prefix, so it
/// cannot leak into logs by accident.
#[derive(Clone)]
pub struct ApiKey(String);

/// Why an API key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    /// Not `hcrm_` followed by 43 base64url characters.
    #[error("The API key is missing or malformed.")]
    Malformed,
}

/// How many leading characters identify a key to people (`hcrm_` + 4).
const DISPLAY_PREFIX_LEN: usize = 9;

impl ApiKey {
    /// Marks the string as ours, so secret scanners and people recognise it.
    pub const PREFIX: &str = "hcrm_";

    /// Builds a key from 32 bytes the caller drew from a secure random source
    /// (this crate has no randomness of its own).
    pub fn from_bytes(bytes: [u8; 32]) -> ApiKey {
        ApiKey(format!("{}{}", Self::PREFIX, URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Parses a key exactly as sent: `hcrm_` then 43 characters of
    /// `A-Z a-z 0-9 _ -`. Not trimmed, since a key with spaces was mangled.
    pub fn parse(input: &str) -> Result<ApiKey, ApiKeyError> {
        match input.strip_prefix(Self::PREFIX) {
            Some(rest) if is_encoded_32_bytes(rest) => Ok(ApiKey(input.to_owned())),
            _ => Err(ApiKeyError::Malformed),
        }
    }

    /// The secret itself, shown once at creation. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the whole key text: what the database stores and looks up.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// The first 9 characters (e.g. `hcrm_AJoM`), safe to show so people can
    /// tell their keys apart.
    pub fn display_prefix(&self) -> String {
        // The key is ASCII, so this byte slice is 9 characters.
        self.0[..DISPLAY_PREFIX_LEN].to_owned()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}…)", self.display_prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiKey {
        ApiKey::from_bytes([
            0x00, 0x9a, 0x0c, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
            0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
            0x0b, 0x0c, 0x0d, 0x0e,
        ])
    }

    #[test]
    fn a_key_is_the_prefix_and_43_base64url_characters() {
        let key = key();
        assert!(key.expose().starts_with("hcrm_"));
        assert_eq!(key.expose().len(), 48);
        assert!(
            key.expose()[5..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        );
    }

    #[test]
    fn a_key_round_trips_through_parse() {
        let key = key();
        assert_eq!(ApiKey::parse(key.expose()).unwrap().expose(), key.expose());
    }

    #[test]
    fn a_key_without_the_prefix_is_refused() {
        let body = &key().expose()[5..].to_owned();
        assert_eq!(ApiKey::parse(body).unwrap_err(), ApiKeyError::Malformed);
        let wrong = format!("HCRM_{body}");
        assert_eq!(ApiKey::parse(&wrong).unwrap_err(), ApiKeyError::Malformed);
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        let key = key();
        assert!(ApiKey::parse(&key.expose()[..47]).is_err());
        assert!(ApiKey::parse(&format!("{}A", key.expose())).is_err());
        assert!(ApiKey::parse("hcrm_").is_err());
        assert!(ApiKey::parse("").is_err());
    }

    #[test]
    fn a_key_with_other_characters_or_spaces_is_refused() {
        let plus = format!("hcrm_{}+", "A".repeat(42));
        assert!(ApiKey::parse(&plus).is_err());
        let spaced = format!(" {}", key().expose());
        assert!(ApiKey::parse(&spaced).is_err());
        let trailing = format!("{}\n", key().expose());
        assert!(ApiKey::parse(&trailing).is_err());
    }

    #[test]
    fn the_hash_is_sha256_of_the_whole_key() {
        let key = key();
        let expected: [u8; 32] = Sha256::digest(key.expose().as_bytes()).into();
        assert_eq!(key.hash(), expected);
    }

    #[test]
    fn the_display_prefix_is_the_first_nine_characters() {
        let key = key();
        assert_eq!(key.display_prefix(), "hcrm_AJoM");
    }

    #[test]
    fn debug_output_shows_only_the_display_prefix() {
        let key = key();
        let debug = format!("{key:?}");
        assert_eq!(debug, "ApiKey(hcrm_AJoM…)");
        assert!(!debug.contains(&key.expose()[9..]));
    }

    #[test]
    fn the_message_names_the_problem() {
        assert_eq!(
            ApiKeyError::Malformed.to_string(),
            "The API key is missing or malformed."
        );
    }
}
