//! Email addresses.

use std::fmt;

use email_address::{EmailAddress, Options};

/// An email address we can send mail to: trimmed, lower-cased, a plain
/// `local@domain.tld` with no display name, quoting or IP literal.
///
/// `Deserialize` trusts its input (it is for values this system wrote
/// itself); parse anything that comes from a user.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("Enter an email address.")]
    Empty,
    /// Longer than [`Email::MAX_LEN`].
    #[error("Use at most 254 characters.")]
    TooLong,
    /// Not an address of the form `name@example.com`.
    #[error("Enter an email address like name@example.com.")]
    Invalid,
}

/// The longest local part (before the `@`) SMTP allows.
const MAX_LOCAL_LEN: usize = 64;

impl Email {
    /// The longest address SMTP can carry in a forward path.
    pub const MAX_LEN: usize = 254;

    /// Parses an address typed by a user.
    ///
    /// The whole address is lower-cased: providers treat local parts
    /// case-insensitively in practice, and it keeps uniqueness checks simple.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let options = Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        EmailAddress::parse_with_options(&s, options).map_err(|_| EmailError::Invalid)?;
        // The crate accepts more than we can deliver to; narrow it down.
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Invalid)?;
        if local.is_empty()
            || local.chars().count() > MAX_LOCAL_LEN
            // Quoted local parts are legal but mostly used for abuse.
            || local.contains('"')
            || !is_deliverable_domain(domain)
        {
            return Err(EmailError::Invalid);
        }
        Ok(Email(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, e.g. `example.com`.
    pub fn domain(&self) -> &str {
        // `parse` guarantees an `@`; fall back to "" rather than panic on a
        // value that came in through `Deserialize`.
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// At least two labels of `a-z0-9-` not starting or ending with `-`, and an
/// alphabetic top-level domain of two letters or more.
fn is_deliverable_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let labels_ok = labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_lowercase()));
    labels.len() >= 2 && labels_ok && tld_ok
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_address_is_accepted() {
        let email = Email::parse("name@example.com").unwrap();
        assert_eq!(email.as_str(), "name@example.com");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Jane.Doe+CRM@Example.CO.uk \n").unwrap();
        assert_eq!(email.as_str(), "jane.doe+crm@example.co.uk");
    }

    #[test]
    fn an_empty_address_is_refused() {
        assert_eq!(Email::parse("  "), Err(EmailError::Empty));
    }

    #[test]
    fn an_address_over_254_characters_is_refused() {
        let long = format!("a@{}.com", "b".repeat(251));
        assert_eq!(long.len(), 257);
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn an_address_without_an_at_sign_is_refused() {
        assert_eq!(Email::parse("name.example.com"), Err(EmailError::Invalid));
    }

    #[test]
    fn a_display_name_form_is_refused() {
        assert_eq!(Email::parse("A <a@b.co>"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("<a@b.co>"), Err(EmailError::Invalid));
    }

    #[test]
    fn a_domain_literal_is_refused() {
        assert_eq!(Email::parse("a@[127.0.0.1]"), Err(EmailError::Invalid));
    }

    #[test]
    fn a_quoted_local_part_is_refused() {
        assert_eq!(
            Email::parse("\"a b\"@example.com"),
            Err(EmailError::Invalid)
        );
    }

    #[test]
    fn a_local_part_over_64_characters_is_refused() {
        let ok = format!("{}@example.com", "a".repeat(64));
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&ok).is_ok());
        assert_eq!(Email::parse(&long), Err(EmailError::Invalid));
    }

    #[test]
    fn a_domain_needs_at_least_two_labels() {
        assert_eq!(Email::parse("a@localhost"), Err(EmailError::Invalid));
    }

    #[test]
    fn domain_labels_must_be_ascii_letters_digits_and_inner_hyphens() {
        assert!(Email::parse("a@my-shop1.example.com").is_ok());
        assert_eq!(Email::parse("a@-shop.com"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("a@shop-.com"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("a@my_shop.com"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("a@bücher.de"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("a@shop..com"), Err(EmailError::Invalid));
    }

    #[test]
    fn the_top_level_domain_must_be_two_or_more_letters() {
        assert_eq!(Email::parse("a@b.c"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("a@example.123"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("a@example.c0m"), Err(EmailError::Invalid));
    }

    #[test]
    fn messages_are_sentences_a_user_can_act_on() {
        assert_eq!(EmailError::Empty.to_string(), "Enter an email address.");
        assert_eq!(
            EmailError::TooLong.to_string(),
            "Use at most 254 characters."
        );
        assert_eq!(
            EmailError::Invalid.to_string(),
            "Enter an email address like name@example.com."
        );
    }

    #[test]
    fn an_email_serializes_as_a_plain_string() {
        let email = Email::parse("a@example.com").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"a@example.com\"");
        assert_eq!(email.to_string(), "a@example.com");
    }
}
