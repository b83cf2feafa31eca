//! Password hashing and fresh secrets.
//!
//! argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's minimum, ~35 ms here), run on the
//! blocking pool behind a semaphore sized to the cores so a burst of sign-ins queues
//! instead of starving the request threads.

use std::{
    fmt,
    sync::{Arc, LazyLock, OnceLock},
};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash as ParsedHash, PasswordHasher, PasswordVerifier,
    Version, password_hash::SaltString,
};
use domain::{ApiKey, Password, Token};
use rand::{TryRngCore, rngs::OsRng};
use tokio::sync::Semaphore;

use crate::Error;

/// A stored argon2id hash in PHC string form.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a hash read from the database.
    pub fn from_stored(phc: String) -> PasswordHash {
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

static HASHING_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores))
});

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a fresh salt.
pub async fn hash_password(password: &Password) -> Result<PasswordHash, Error> {
    let password = password.expose().to_owned();
    let salt =
        SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| Error::Hashing(e.to_string()))?;
    let _slot = HASHING_SLOTS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| Error::Hashing(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| PasswordHash(hash.to_string()))
            .map_err(|e| Error::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| Error::Hashing(e.to_string()))?
}

/// Checks `password` against `stored`. With no stored hash (unknown account) it checks
/// against a dummy hash instead, so both cases take the same time and give the same answer.
pub async fn verify_password(password: &Password, stored: Option<&PasswordHash>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let known = stored.is_some();
    let phc = match stored {
        Some(hash) => hash.0.clone(),
        None => match DUMMY.get() {
            Some(dummy) => dummy.clone(),
            None => {
                let Ok(fresh) = hash_password(&dummy_password()).await else {
                    return false;
                };
                DUMMY.get_or_init(|| fresh.0).clone()
            }
        },
    };
    let password = password.expose().to_owned();
    let Ok(_slot) = HASHING_SLOTS.clone().acquire_owned().await else {
        return false;
    };
    let matches = tokio::task::spawn_blocking(move || {
        ParsedHash::new(&phc)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    known && matches
}

fn dummy_password() -> Password {
    Password::parse(format!("dummy-{}", hex(&random_bytes::<16>())))
        .expect("a 38-character password is within the length rules")
}

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source is available");
    bytes
}

/// A fresh single-use token (invite, reset, hand-off, verification): 32 random bytes.
pub fn new_token() -> Token {
    Token::from_bytes(random_bytes())
}

/// A fresh tenant API key: `hcrm_` + 32 random bytes.
pub fn new_api_key() -> ApiKey {
    ApiKey::from_bytes(random_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(s: &str) -> Password {
        Password::parse(s.to_owned()).unwrap()
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password(&password("correct horse battery"))
            .await
            .unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&password("correct horse battery"), Some(&hash)).await);
        assert!(!verify_password(&password("wrong horse battery"), Some(&hash)).await);
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify_password(&password("anything at all"), None).await);
    }

    #[test]
    fn tokens_and_keys_are_fresh_each_time() {
        assert_ne!(new_token().expose(), new_token().expose());
        assert_ne!(new_api_key().expose(), new_api_key().expose());
    }
}
