//! Self-service signup: what the form sends, and what the live checks answer.

use serde::{Deserialize, Serialize};

use crate::{
    Email, FieldErrors, Fields, Password, PersonName, Slug, TenantName, slug::suggest_from_name,
};

/// A signup form that passed every field's rule.
#[derive(Clone, Debug)]
pub struct SignupRequest {
    pub company: TenantName,
    pub slug: Slug,
    pub name: PersonName,
    pub email: Email,
    pub password: Password,
}

/// What the signup form posts, as typed.
#[derive(Clone, Debug, Default)]
pub struct SignupForm {
    pub company: String,
    pub subdomain: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

impl SignupRequest {
    /// Parses the form, reporting every field's problem at once. An empty subdomain is
    /// derived from the company name (a form posted without scripting has no live field).
    pub fn parse(form: SignupForm) -> Result<SignupRequest, FieldErrors> {
        let mut fields = Fields::default();
        let company = fields.check("company", TenantName::parse(&form.company));
        let subdomain = match form.subdomain.trim() {
            "" => suggest_from_name(&form.company),
            typed => typed.to_owned(),
        };
        let slug = fields.check("subdomain", Slug::parse_for_signup(&subdomain));
        let name = fields.check("name", PersonName::parse(&form.name));
        let email = fields.check("email", Email::parse(&form.email));
        let password = fields.check("password", Password::parse(form.password));
        match (company, slug, name, email, password) {
            (Some(company), Some(slug), Some(name), Some(email), Some(password)) => {
                Ok(SignupRequest {
                    company,
                    slug,
                    name,
                    email,
                    password,
                })
            }
            _ => Err(fields.into_errors()),
        }
    }
}

/// The availability check's answer (`docs/product.md`, "Subdomains").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubdomainState {
    Available,
    Taken,
    Reserved,
    Quarantined,
    Invalid,
}

/// Whether a subdomain can be claimed, in words, with alternatives when it cannot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// The subdomain as checked: trimmed and lower-cased.
    pub subdomain: String,
    pub state: SubdomainState,
    /// "acme.example.com is taken.", or why the name is not valid.
    pub message: String,
    /// Up to three available alternatives (taken, reserved, quarantined only).
    pub suggestions: Vec<String>,
}

impl Availability {
    /// "acme.example.com is taken. Try acme-hq, acme-team or get-acme." — the suggestions
    /// in words too, for a page without scripting, where suggestion buttons cannot work.
    pub fn in_words(&self) -> String {
        match self.suggestions.as_slice() {
            [] => self.message.clone(),
            [one] => format!("{} Try {one}.", self.message),
            [rest @ .., last] => format!("{} Try {} or {last}.", self.message, rest.join(", ")),
        }
    }
}

/// A password's rating, for the hint beside the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRating {
    /// Whether the signup would accept it.
    pub acceptable: bool,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SignupForm {
        SignupForm {
            company: "Acme Family Law".into(),
            subdomain: "acme".into(),
            name: "Grace".into(),
            email: "grace@acme.test".into(),
            password: "violet tugboat orchard".into(),
        }
    }

    #[test]
    fn a_good_form_parses() {
        let request = SignupRequest::parse(form()).unwrap();
        assert_eq!(request.slug.as_str(), "acme");
        assert_eq!(request.email.as_str(), "grace@acme.test");
    }

    #[test]
    fn an_empty_subdomain_comes_from_the_company_name() {
        let request = SignupRequest::parse(SignupForm {
            subdomain: " ".into(),
            ..form()
        })
        .unwrap();
        assert_eq!(request.slug.as_str(), "acme-family-law");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = SignupRequest::parse(SignupForm {
            company: " ".into(),
            subdomain: "admin".into(),
            name: String::new(),
            email: "nope".into(),
            password: "short".into(),
        })
        .unwrap_err();
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(names, ["company", "email", "name", "password", "subdomain"]);
    }

    fn availability(suggestions: &[&str]) -> Availability {
        Availability {
            subdomain: "acme".into(),
            state: SubdomainState::Taken,
            message: "acme.localhost:3000 is taken.".into(),
            suggestions: suggestions.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_taken_answer_names_the_suggestions_in_words() {
        assert_eq!(
            availability(&["acme-hq", "acme-team", "get-acme"]).in_words(),
            "acme.localhost:3000 is taken. Try acme-hq, acme-team or get-acme."
        );
        assert_eq!(
            availability(&["acme-hq"]).in_words(),
            "acme.localhost:3000 is taken. Try acme-hq."
        );
        assert_eq!(
            availability(&[]).in_words(),
            "acme.localhost:3000 is taken."
        );
    }
}
