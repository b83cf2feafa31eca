//! Passwords (`docs/security.md`, "Passwords"): the length rule is the domain's; here are
//! the rules that need the server: common passwords refused (zxcvbn's dictionaries), argon2id
//! hashing, and the check of an account's password, counted per account before anything is
//! hashed and compared inside the database, which never hands a hash to request traffic.
//!
//! Hashing (19 MiB each) and zxcvbn run on the blocking pool, each behind a semaphore sized
//! to the cores. The permit travels into the blocking task: a request that is cancelled
//! while waiting for its hash does not free the slot while the hash still runs.

use std::{
    net::IpAddr,
    sync::{Arc, LazyLock},
};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash as Phc, PasswordHasher, Version,
    password_hash::SaltString,
};
use db::users::AccountSetting;
use domain::{Email, Password, PasswordError, PasswordHash};
use tokio::sync::Semaphore;
use uuid::Uuid;
use zxcvbn::Score;

use crate::{
    Error, Platform,
    blocking::on_blocking_pool,
    limits::{Scope, client_key, refused},
    secrets::random_bytes,
};

/// How much of a password zxcvbn looks at. Its time grows steeply with length on some
/// inputs (128 punctuation characters: 1.6 s in a release build, 40: 80 ms); a password
/// is common or not by its first 40 characters.
const ESTIMATED_CHARS: usize = 40;

/// argon2id, m = 19 MiB, t = 2, p = 1: OWASP's minimum, about 35 ms here.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

use crate::blocking::cores;

static HASHING_SLOTS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(cores())));
static ZXCVBN_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(cores())));

/// Parses a password and refuses a common one (see [`check_not_common`]).
pub async fn parse_uncommon(
    password: String,
    about_the_person: &[&str],
) -> Result<Password, PasswordError> {
    let password = Password::parse(password)?;
    check_not_common(&password, about_the_person).await?;
    Ok(password)
}

/// Refuses passwords that zxcvbn rates below "somewhat guessable" (score 2): common
/// passwords, keyboard walks, and variations on the person's own name or email.
pub async fn check_not_common(
    password: &Password,
    about_the_person: &[&str],
) -> Result<(), PasswordError> {
    let sample: String = password.expose().chars().take(ESTIMATED_CHARS).collect();
    let inputs = dictionary(about_the_person);
    // A failure to run the estimate at all must not let a password through.
    on_blocking_pool(&ZXCVBN_SLOTS, move || judge(&sample, &inputs))
        .await
        .unwrap_or(Err(PasswordError::TooCommon))
}

/// zxcvbn matches its inputs whole: give it each word, and each input run together,
/// so that "acmefamilylaw" counts as made of "Acme Family Law".
fn dictionary(about_the_person: &[&str]) -> Vec<String> {
    let mut inputs: Vec<String> = Vec::new();
    for text in about_the_person {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        inputs.push(words.concat());
        inputs.extend(words.iter().map(|w| (*w).to_owned()));
    }
    inputs
}

fn judge(sample: &str, inputs: &[String]) -> Result<(), PasswordError> {
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(sample, &inputs);
    if estimate.score() < Score::Two {
        Err(PasswordError::TooCommon)
    } else {
        Ok(())
    }
}

/// Loads zxcvbn's dictionaries (about 20 ms, once), so that the first signup after
/// start-up does not pay for it.
pub fn warm_up() {
    let _ = zxcvbn::zxcvbn("warm up the dictionaries", &[]);
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn our_params() -> Params {
    Params::new(MEMORY_KIB, PASSES, LANES, None).expect("static argon2 parameters are valid")
}

/// Hashes a password with a fresh salt.
pub async fn hash(password: &Password) -> Result<PasswordHash, Error> {
    let password = password.expose().to_owned();
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|_| Error::Internal)?;
    on_blocking_pool(&HASHING_SLOTS, move || {
        argon2(our_params())
            .hash_password(password.as_bytes(), &salt)
            .map(|phc| PasswordHash::new(phc.to_string()))
            .map_err(|_| Error::Internal)
    })
    .await?
}

/// A hash of a long random secret nobody is told: an account made by single sign-on has
/// no password until its owner sets one with a reset link.
pub async fn unusable_hash() -> Result<PasswordHash, Error> {
    let secret = crate::secrets::new_token();
    let password = Password::parse(secret.expose().to_owned()).map_err(|_| Error::Internal)?;
    hash(&password).await
}

/// Hashes `password` with the algorithm, parameters and salt of `setting` (a PHC string
/// without its hash), for the database to compare with the stored hash. Parameters beyond
/// what we would ever choose are refused rather than spent.
async fn hash_with_setting(setting: String, password: String) -> Result<String, Error> {
    on_blocking_pool(&HASHING_SLOTS, move || {
        let parsed = Phc::new(&setting).map_err(|_| Error::Internal)?;
        let params = Params::try_from(&parsed).map_err(|_| Error::Internal)?;
        let salt = parsed.salt.ok_or(Error::Internal)?;
        if parsed.algorithm != Algorithm::Argon2id.ident()
            || params.m_cost() > 4 * MEMORY_KIB
            || params.t_cost() > 4 * PASSES
            || params.p_cost() > 4 * LANES
        {
            return Err(Error::Internal);
        }
        argon2(params.clone())
            .hash_password_customized(
                password.as_bytes(),
                Some(Algorithm::Argon2id.ident()),
                Some(Version::V0x13.into()),
                params,
                salt,
            )
            .map(|phc| phc.to_string())
            .map_err(|_| Error::Internal)
    })
    .await?
}

/// Whether `password` matches `stored` (a PHC string read on the owner pool: staff
/// accounts). With no stored hash the same work is done against a dummy setting, so an
/// unknown account answers as slowly as a known one.
pub async fn matches_stored(stored: Option<&str>, password: &str) -> Result<bool, Error> {
    let setting = stored
        .and_then(|phc| phc.rsplit_once('$'))
        .map_or_else(dummy_setting, |(setting, _)| setting.to_owned());
    let candidate = Password::parse(password.to_owned()).ok();
    let typed = candidate.as_ref().map_or_else(
        || "x".repeat(Password::MIN_CHARS),
        |c| c.expose().to_owned(),
    );
    let phc = hash_with_setting(setting, typed).await?;
    Ok(candidate.is_some()
        && stored.is_some_and(|stored| {
            use sha2::{Digest, Sha256};
            // Compared as digests, so the comparison's time says nothing of the hash.
            Sha256::digest(stored.as_bytes()) == Sha256::digest(phc.as_bytes())
        }))
}

/// The setting hashed for an account that does not exist, so that its answer takes as
/// long as anyone's.
fn dummy_setting() -> String {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let salt =
            SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a valid salt");
        format!(
            "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}${}",
            salt.as_str()
        )
    });
    DUMMY.clone()
}

/// How many times the per-account limit a client network may fail within its window,
/// whatever the accounts (`docs/security.md`, "Passwords").
pub const NETWORK_FACTOR: u32 = 5;

/// The key a client network's password checks are counted under: its IPv4 address, or
/// its IPv6 /64.
pub fn network_key(client: IpAddr) -> String {
    format!("network:{}", client_key(client))
}

/// One check of an account's password, counted against the account's limit and its
/// client network's before anything is hashed ([`begin_attempt`]) and spent by [`check`].
#[derive(Debug)]
pub struct Attempt {
    id: Uuid,
    email: Email,
    /// The reservation under the client's network, forgotten if the password is right.
    network: Option<Uuid>,
}

/// Counts a password check of `email`'s account from `client`, or refuses when the client's
/// network failed too often lately (at [`NETWORK_FACTOR`] times the account limit, whatever
/// the accounts), or when the account did (with `refusal`). Counted for addresses without an
/// account too, which therefore answer alike. Nothing is hashed for a refusal.
pub async fn begin_attempt(
    p: &Platform,
    email: &Email,
    client: Option<IpAddr>,
    refusal: &str,
) -> Result<Attempt, Error> {
    let limit = p.limits.login;
    let network = match client {
        Some(client) => {
            let network_limit = limit.count.saturating_mul(NETWORK_FACTOR);
            let key = network_key(client);
            match db::password_attempts::reserve(&p.db.app, &key, network_limit, limit.window)
                .await?
            {
                Some(id) => Some(id),
                None => {
                    return Err(refused(
                        Scope::Login,
                        "Too many wrong passwords from your network.",
                        limit.window,
                    ));
                }
            }
        }
        None => None,
    };
    match db::password_attempts::reserve(&p.db.app, email.as_str(), limit.count, limit.window)
        .await?
    {
        Some(id) => Ok(Attempt {
            id,
            email: email.clone(),
            network,
        }),
        None => Err(refused(Scope::Login, refusal, limit.window)),
    }
}

/// Whether `password` is the password of `account`, which the caller looked up for the
/// attempt's email and may pass as `None` (no account, or one it must not sign in): the
/// same hash is computed either way, so the answer takes as long. A right password is no
/// failure of the client's network; a wrong one stays counted against it.
pub async fn check(
    p: &Platform,
    attempt: Attempt,
    account: Option<&AccountSetting>,
    password: &str,
) -> Result<bool, Error> {
    // A password outside the length rules cannot be anyone's; it still costs a hash.
    let candidate = Password::parse(password.to_owned()).ok();
    let setting = account.map_or_else(dummy_setting, |a| a.setting.clone());
    let typed = candidate.as_ref().map_or_else(
        || "x".repeat(Password::MIN_CHARS),
        |c| c.expose().to_owned(),
    );
    let phc = hash_with_setting(setting, typed).await?;
    let matched = match (account, candidate) {
        (Some(_), Some(_)) => {
            db::password_attempts::matches(&p.db.app, attempt.id, &attempt.email, &phc).await?
        }
        _ => false,
    };
    if matched && let Some(network) = attempt.network {
        db::password_attempts::forget_one(&p.db.app, network).await?;
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn check(p: &str, inputs: &[&str]) -> Result<(), PasswordError> {
        check_not_common(&Password::parse(p.to_owned()).unwrap(), inputs).await
    }

    #[tokio::test]
    async fn a_hashed_password_has_our_parameters_and_hashes_the_same_with_its_setting() {
        let password = Password::parse("correct horse battery".to_owned()).unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(
            stored
                .as_str()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
        let setting = stored.as_str().rsplit_once('$').unwrap().0.to_owned();
        let again = hash_with_setting(setting.clone(), "correct horse battery".into())
            .await
            .unwrap();
        assert_eq!(again, stored.as_str());
        let wrong = hash_with_setting(setting, "wrong horse battery".into())
            .await
            .unwrap();
        assert_ne!(wrong, stored.as_str());
    }

    #[tokio::test]
    async fn a_setting_with_outlandish_parameters_is_refused() {
        let salt = "c2FsdHNhbHRzYWx0c2FsdA";
        let huge = format!("$argon2id$v=19$m=4000000,t=2,p=1${salt}");
        assert_eq!(
            hash_with_setting(huge, "password".into()).await,
            Err(Error::Internal)
        );
        let other = format!("$argon2i$v=19$m=19456,t=2,p=1${salt}");
        assert_eq!(
            hash_with_setting(other, "password".into()).await,
            Err(Error::Internal)
        );
    }

    #[tokio::test]
    async fn only_the_first_forty_characters_are_estimated() {
        let tail = "Qz8#vL2!mW9@kR4$";
        assert_eq!(
            check(&format!("{}{tail}", "a".repeat(40)), &[]).await,
            Err(PasswordError::TooCommon)
        );
        assert_eq!(
            check(&format!("{}{tail}", "a".repeat(24)), &[]).await,
            Ok(())
        );
    }

    #[tokio::test]
    async fn common_passwords_are_refused() {
        for p in [
            "password",
            "password123",
            "12345678",
            "qwertyuiop",
            "iloveyou1",
        ] {
            assert_eq!(check(p, &[]).await, Err(PasswordError::TooCommon), "{p}");
        }
    }

    #[tokio::test]
    async fn a_password_made_of_the_persons_own_name_is_refused() {
        assert_eq!(
            check("margaret1987", &["Margaret Hamilton"]).await,
            Err(PasswordError::TooCommon)
        );
    }

    #[tokio::test]
    async fn a_password_made_of_the_company_name_is_refused() {
        assert_eq!(
            check("acmefamilylaw", &["Acme Family Law"]).await,
            Err(PasswordError::TooCommon)
        );
        assert_eq!(
            check("AcmeFamilyLaw2026", &["Acme Family Law"]).await,
            Err(PasswordError::TooCommon)
        );
    }

    #[tokio::test]
    async fn an_uncommon_passphrase_is_accepted() {
        assert_eq!(check("violet tugboat orchard", &[]).await, Ok(()));
        assert_eq!(check("correct-horse-battery-staple", &[]).await, Ok(()));
    }
}
