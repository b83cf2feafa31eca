//! Fresh secrets: 32 bytes from the operating system's random source, made into the
//! domain's token and key types (`docs/product.md`, "Tokens").

use domain::{ApiKey, Token};
use rand::{TryRngCore, rngs::OsRng};

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source is available");
    bytes
}

/// A fresh single-use token (invite, reset, hand-off, verification, a browser's secret).
pub fn new_token() -> Token {
    Token::from_bytes(random_bytes())
}

/// A fresh workspace API key: `hcrm_` + 32 random bytes.
pub fn new_api_key() -> ApiKey {
    ApiKey::from_bytes(random_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_keys_are_fresh_each_time() {
        assert_ne!(new_token().expose(), new_token().expose());
        assert_ne!(new_api_key().expose(), new_api_key().expose());
    }
}
