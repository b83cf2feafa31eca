//! Every parser of user input, fed arbitrary input (proptest): none panics, and whatever one
//! accepts is something Postgres stores (no NUL character, in text or in JSON).

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::{
    ApiKey, Email, HexColour, Password, PersonName, Reason, Slug, Tagline, TenantName, Token,
    signup::{SignupForm, SignupRequest},
};

/// Text that Postgres's `text` and `jsonb` take.
fn storable(s: &str) -> bool {
    !s.contains('\0')
}

/// Strings that favour the characters parsers care about, NUL and controls included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9\\-\\.@#_ ]{0,70}",
        "[\\x00-\\x1f a-zA-Z@.\\u{2028}\\u{fe0f}é]{0,40}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn all_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| all_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            all_strings(v, out);
        }),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_parsers_never_panic_and_accept_only_storable_text(input in text()) {
        if let Ok(slug) = Slug::parse(&input) { prop_assert!(storable(slug.as_str())); }
        if let Ok(slug) = Slug::parse_for_signup(&input) { prop_assert!(storable(slug.as_str())); }
        if let Ok(email) = Email::parse(&input) { prop_assert!(storable(email.as_str())); }
        if let Ok(name) = TenantName::parse(&input) { prop_assert!(storable(name.as_str())); }
        if let Ok(name) = PersonName::parse(&input) { prop_assert!(storable(name.as_str())); }
        if let Ok(tagline) = Tagline::parse(&input) { prop_assert!(storable(tagline.as_str())); }
        if let Ok(reason) = Reason::parse(&input) { prop_assert!(storable(reason.as_str())); }
        if let Ok(colour) = HexColour::parse(&input) { prop_assert!(storable(colour.as_str())); }
        if let Ok(token) = Token::parse(&input) { prop_assert!(storable(token.expose())); }
        if let Ok(key) = ApiKey::parse(&input) { prop_assert!(storable(key.expose())); }
        if let Ok(password) = Password::parse(input.clone()) { prop_assert!(storable(password.expose())); }
        let _ = crate::slug::suggest_from_name(&input);
        let _ = crate::slug::alternatives(&input);
    }

    #[test]
    fn a_signup_form_never_panics_and_keeps_only_storable_text(
        company in text(), subdomain in text(), name in text(), email in text(), password in text(),
    ) {
        if let Ok(request) = SignupRequest::parse(SignupForm { company, subdomain, name, email, password }) {
            for s in [request.company.as_str(), request.slug.as_str(), request.name.as_str(), request.email.as_str()] {
                prop_assert!(storable(s));
            }
        }
    }

    #[test]
    fn a_lead_never_panics_and_keeps_only_storable_text(
        fields in prop::collection::btree_map(
            prop_oneof![
                Just("first_name".to_owned()), Just("last_name".to_owned()), Just("email".to_owned()),
                Just("phone".to_owned()), Just("company".to_owned()), Just("source".to_owned()),
                Just("message".to_owned()), text(),
            ],
            json_value(),
            0..8,
        ),
    ) {
        let body = Value::Object(fields.into_iter().collect());
        if let Ok(lead) = crate::lead::parse(&body) {
            let mut strings: Vec<String> = [
                lead.first_name, lead.last_name, lead.phone, lead.company, lead.source, lead.message,
            ]
            .into_iter()
            .flatten()
            .collect();
            strings.extend(lead.email.map(|e| e.as_str().to_owned()));
            all_strings(&Value::Object(lead.extra), &mut strings);
            for s in strings {
                prop_assert!(storable(&s), "{s:?}");
            }
        }
    }
}
