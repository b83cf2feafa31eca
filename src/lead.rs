//! Leads sent to the intake API as JSON.

use serde_json::{Map, Value};

use crate::FieldErrors;
use crate::email::Email;

/// A lead that passed intake: known fields trimmed and checked, everything
/// else kept as-is in `extra`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    /// Given name, up to 100 characters.
    pub first_name: Option<String>,
    /// Family name, up to 100 characters.
    pub last_name: Option<String>,
    /// Email address; at least one of `email` and `phone` is present.
    pub email: Option<Email>,
    /// Phone number as written, with at least 5 digits.
    pub phone: Option<String>,
    /// Company name, up to 200 characters.
    pub company: Option<String>,
    /// Where the lead came from (a form, a campaign), up to 100 characters.
    pub source: Option<String>,
    /// Free text from the lead, up to 5000 characters.
    pub message: Option<String>,
    /// Every other field of the request, unchanged (at most [`MAX_EXTRA_FIELDS`]).
    pub extra: Map<String, Value>,
}

/// The most unknown fields kept in [`NewLead::extra`]; bounds storage per lead.
pub const MAX_EXTRA_FIELDS: usize = 50;

/// The fields intake understands; any other key goes to [`NewLead::extra`].
const KNOWN_FIELDS: [&str; 7] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "source",
    "message",
];

const PHONE_MIN_CHARS: usize = 5;
const PHONE_MAX_CHARS: usize = 40;
const PHONE_MIN_DIGITS: usize = 5;
const PHONE_MESSAGE: &str = "Enter a phone number with at least 5 digits.";
const CONTACT_MESSAGE: &str = "Provide an email or a phone number.";
/// Postgres stores no NUL character, in text or in JSON.
const NUL_MESSAGE: &str = "Remove the NUL character (\\0): it cannot be stored.";

/// Parses an intake request body, collecting every field's error at once so
/// the sender can fix them all in one go.
pub fn parse(body: &Value) -> Result<NewLead, FieldErrors> {
    let mut errors = FieldErrors::new();
    let Some(object) = body.as_object() else {
        errors.insert("body".to_owned(), "Send a JSON object.".to_owned());
        return Err(errors);
    };

    // Reads a known field: a string (trimmed, blank = absent) or null, within
    // `max` characters when given.
    let mut text = |name: &str, max: Option<usize>| -> Option<String> {
        let s = match object.get(name) {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) => s.trim(),
            Some(_) => {
                errors.insert(name.to_owned(), "Must be a string.".to_owned());
                return None;
            }
        };
        if s.is_empty() {
            return None;
        }
        if s.contains('\0') {
            errors.insert(name.to_owned(), NUL_MESSAGE.to_owned());
            return None;
        }
        if let Some(max) = max.filter(|&max| s.chars().count() > max) {
            errors.insert(name.to_owned(), format!("Use at most {max} characters."));
            return None;
        }
        Some(s.to_owned())
    };
    let first_name = text("first_name", Some(100));
    let last_name = text("last_name", Some(100));
    let company = text("company", Some(200));
    let source = text("source", Some(100));
    let message = text("message", Some(5000));
    // Email and phone apply their own length rules below.
    let email_text = text("email", None);
    let phone_text = text("phone", None);

    let email = email_text.and_then(|s| match Email::parse(&s) {
        Ok(email) => Some(email),
        Err(error) => {
            errors.insert("email".to_owned(), error.to_string());
            None
        }
    });
    let phone = phone_text.filter(|s| {
        let ok = is_phone(s);
        if !ok {
            errors.insert("phone".to_owned(), PHONE_MESSAGE.to_owned());
        }
        ok
    });
    // Only ask for contact details when neither was attempted; a bad value
    // already has its own message.
    if email.is_none()
        && phone.is_none()
        && !errors.contains_key("email")
        && !errors.contains_key("phone")
    {
        errors.insert("email".to_owned(), CONTACT_MESSAGE.to_owned());
        errors.insert("phone".to_owned(), CONTACT_MESSAGE.to_owned());
    }

    let extra: Map<String, Value> = object
        .iter()
        .filter(|(key, _)| !KNOWN_FIELDS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    for (key, value) in &extra {
        if key.contains('\0') {
            errors.insert("extra".to_owned(), NUL_MESSAGE.to_owned());
        } else if holds_nul(value) {
            errors.insert(key.clone(), NUL_MESSAGE.to_owned());
        }
    }
    if extra.len() > MAX_EXTRA_FIELDS {
        errors.insert(
            "extra".to_owned(),
            format!("Send at most {MAX_EXTRA_FIELDS} extra fields."),
        );
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewLead {
        first_name,
        last_name,
        email,
        phone,
        company,
        source,
        message,
        extra,
    })
}

/// Whether a JSON value has a NUL character in any string or key inside it.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// 5 to 40 characters of digits, spaces and `+ - ( ) .`, with at least 5 digits.
fn is_phone(s: &str) -> bool {
    let chars = s.chars().count();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (PHONE_MIN_CHARS..=PHONE_MAX_CHARS).contains(&chars)
        && digits >= PHONE_MIN_DIGITS
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(body: Value) -> FieldErrors {
        parse(&body).unwrap_err()
    }

    #[test]
    fn a_full_lead_is_parsed_and_trimmed() {
        let lead = parse(&json!({
            "first_name": " Ada ",
            "last_name": "Lovelace",
            "email": " Ada@Example.com ",
            "phone": "+44 (20) 7946-0958",
            "company": "Analytical Engines",
            "source": "website",
            "message": "Call me.",
        }))
        .unwrap();
        assert_eq!(lead.first_name.as_deref(), Some("Ada"));
        assert_eq!(lead.last_name.as_deref(), Some("Lovelace"));
        assert_eq!(lead.email.unwrap().as_str(), "ada@example.com");
        assert_eq!(lead.phone.as_deref(), Some("+44 (20) 7946-0958"));
        assert_eq!(lead.company.as_deref(), Some("Analytical Engines"));
        assert_eq!(lead.source.as_deref(), Some("website"));
        assert_eq!(lead.message.as_deref(), Some("Call me."));
        assert!(lead.extra.is_empty());
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        for body in [json!([]), json!("lead"), json!(null), json!(1)] {
            let errors = errors_of(body);
            assert_eq!(errors.len(), 1);
            assert_eq!(errors["body"], "Send a JSON object.");
        }
    }

    #[test]
    fn known_fields_must_be_strings() {
        let errors = errors_of(json!({ "email": "a@example.com", "company": 42, "source": ["x"] }));
        assert_eq!(errors["company"], "Must be a string.");
        assert_eq!(errors["source"], "Must be a string.");
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn null_and_blank_fields_are_absent() {
        let lead =
            parse(&json!({ "email": "a@example.com", "company": null, "message": "   " })).unwrap();
        assert_eq!(lead.company, None);
        assert_eq!(lead.message, None);
        assert_eq!(lead.first_name, None);
    }

    #[test]
    fn text_fields_have_length_limits_in_characters() {
        let ok = parse(&json!({
            "email": "a@example.com",
            "first_name": "é".repeat(100),
            "company": "c".repeat(200),
            "message": "m".repeat(5000),
        }));
        assert!(ok.is_ok());
        let errors = errors_of(json!({
            "email": "a@example.com",
            "first_name": "a".repeat(101),
            "last_name": "a".repeat(101),
            "company": "c".repeat(201),
            "source": "s".repeat(101),
            "message": "m".repeat(5001),
        }));
        assert_eq!(errors["first_name"], "Use at most 100 characters.");
        assert_eq!(errors["last_name"], "Use at most 100 characters.");
        assert_eq!(errors["company"], "Use at most 200 characters.");
        assert_eq!(errors["source"], "Use at most 100 characters.");
        assert_eq!(errors["message"], "Use at most 5000 characters.");
    }

    #[test]
    fn an_invalid_email_gets_the_email_message() {
        let errors = errors_of(json!({ "email": "not-an-email" }));
        assert_eq!(
            errors["email"],
            "Enter an email address like name@example.com."
        );
        assert!(!errors.contains_key("phone"));
        let long = format!("a@{}.com", "b".repeat(251));
        assert_eq!(
            errors_of(json!({ "email": long }))["email"],
            "Use at most 254 characters."
        );
    }

    #[test]
    fn a_phone_needs_five_digits_and_only_phone_characters() {
        assert!(parse(&json!({ "phone": "12345" })).is_ok());
        assert!(parse(&json!({ "phone": "+1 (555) 010-9999 ." })).is_ok());
        for bad in [
            "1234",
            "12-34",
            "call 12345",
            "1234x5",
            "+(1)-2",
            &"1".repeat(41),
        ] {
            assert_eq!(
                errors_of(json!({ "phone": bad }))["phone"],
                "Enter a phone number with at least 5 digits.",
                "{bad}"
            );
        }
    }

    #[test]
    fn an_email_or_a_phone_is_required() {
        let errors = errors_of(json!({ "first_name": "Ada" }));
        assert_eq!(errors["email"], "Provide an email or a phone number.");
        assert_eq!(errors["phone"], "Provide an email or a phone number.");
        assert!(parse(&json!({ "phone": "555 0199 12" })).is_ok());
        assert!(parse(&json!({ "email": "a@example.com" })).is_ok());
    }

    #[test]
    fn unknown_fields_are_kept_unchanged_in_extra() {
        let lead = parse(&json!({
            "email": "a@example.com",
            "budget": 5000,
            "tags": ["x", "y"],
            "utm_source": " google ",
        }))
        .unwrap();
        assert_eq!(lead.extra.len(), 3);
        assert_eq!(lead.extra["budget"], json!(5000));
        assert_eq!(lead.extra["tags"], json!(["x", "y"]));
        assert_eq!(lead.extra["utm_source"], json!(" google "));
    }

    #[test]
    fn more_than_fifty_extra_fields_are_refused() {
        let mut body = Map::new();
        body.insert("email".to_owned(), json!("a@example.com"));
        for i in 0..50 {
            body.insert(format!("f{i}"), json!(i));
        }
        assert!(parse(&Value::Object(body.clone())).is_ok());
        body.insert("f50".to_owned(), json!(50));
        let errors = errors_of(Value::Object(body));
        assert_eq!(errors["extra"], "Send at most 50 extra fields.");
    }

    #[test]
    fn every_field_error_is_reported_at_once() {
        let errors = errors_of(json!({
            "first_name": 1,
            "company": "c".repeat(201),
            "email": "nope",
            "phone": "12",
        }));
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(fields, ["company", "email", "first_name", "phone"]);
    }

    #[test]
    fn a_nul_character_in_a_field_is_refused_by_name() {
        let errors = errors_of(json!({
            "email": "a@example.com",
            "first_name": "Ada\0",
            "message": "line one\nline\0two",
            "utm_source": ["ok", { "deep": "x\0" }],
        }));
        assert_eq!(
            errors["first_name"],
            "Remove the NUL character (\\0): it cannot be stored."
        );
        assert!(errors.contains_key("message"));
        assert!(errors.contains_key("utm_source"));
        assert_eq!(errors.len(), 3);
        let key = errors_of(json!({ "email": "a@example.com", "bad\0key": 1 }));
        assert!(key.contains_key("extra"));
    }

    #[test]
    fn a_message_keeps_its_line_breaks() {
        let lead =
            parse(&json!({ "email": "a@example.com", "message": "Hi,\n\tcall me." })).unwrap();
        assert_eq!(lead.message.as_deref(), Some("Hi,\n\tcall me."));
    }
}
