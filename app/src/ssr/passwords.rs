//! The common-password rule (SPEC: "common passwords refused"), which needs zxcvbn's
//! dictionaries and so runs on the server only.

use domain::{Password, PasswordError};
use zxcvbn::Score;

/// How much of a password zxcvbn looks at. Its time grows steeply with length on some
/// inputs (128 punctuation characters: 1.6 s in a release build, 40: 80 ms); a password
/// is common or not by its first 40 characters.
const ESTIMATED_CHARS: usize = 40;

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
/// passwords, keyboard walks, and variations on the person's own name or email. Runs on
/// the blocking pool, like hashing, so that a slow estimate holds up no other request.
pub async fn check_not_common(
    password: &Password,
    about_the_person: &[&str],
) -> Result<(), PasswordError> {
    let sample: String = password.expose().chars().take(ESTIMATED_CHARS).collect();
    let inputs = dictionary(about_the_person);
    tokio::task::spawn_blocking(move || judge(&sample, &inputs))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn check(p: &str, inputs: &[&str]) -> Result<(), PasswordError> {
        check_not_common(&Password::parse(p.to_owned()).unwrap(), inputs).await
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
