//! Short free-text fields: workspace names, people's names, taglines.

use std::fmt;

/// Why a name or tagline was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but whitespace was entered in a required field.
    #[error("This field is required.")]
    Empty,
    /// Longer than the field allows.
    #[error("Use at most {max} characters.")]
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// Contains a line break, tab or other control character inside the text.
    #[error("Remove line breaks and control characters.")]
    ControlCharacters,
}

/// Trims `input` and checks it against a field's rules.
fn parse_text(input: &str, required: bool, max: usize) -> Result<String, NameError> {
    let s = input.trim();
    if required && s.is_empty() {
        return Err(NameError::Empty);
    }
    // Line and paragraph separators are not `is_control` but break layouts the same way.
    if s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return Err(NameError::ControlCharacters);
    }
    if s.chars().count() > max {
        return Err(NameError::TooLong { max });
    }
    Ok(s.to_owned())
}

/// Defines a trimmed single-line text newtype with its accessors.
macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, required: $required:expr, max: $max:expr) => {
        $(#[$doc])*
        ///
        /// `Deserialize` trusts its input (it is for values this system wrote
        /// itself); parse anything that comes from a user.
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The most characters allowed.
            pub const MAX_CHARS: usize = $max;

            /// Trims the input, then checks it is a single line within the length limit.
            pub fn parse(input: &str) -> Result<$name, NameError> {
                parse_text(input, $required, Self::MAX_CHARS).map($name)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A workspace's display name, e.g. "Acme Family Law": 1 to 80 characters.
    TenantName, required: true, max: 80
);

text_newtype!(
    /// A person's name as they write it: 1 to 100 characters.
    PersonName, required: true, max: 100
);

text_newtype!(
    /// A workspace's optional one-line tagline: up to 140 characters, may be empty.
    Tagline, required: false, max: 140
);

text_newtype!(
    /// A pipeline stage's name, e.g. "Qualified": 1 to 40 characters.
    StageName, required: true, max: 40
);

text_newtype!(
    /// Why staff rejected or suspended a workspace, as its admins will read it: 1 to 500
    /// characters on one line.
    Reason, required: true, max: 500
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(
            TenantName::parse("  Acme Family Law \n").unwrap().as_str(),
            "Acme Family Law"
        );
    }

    #[test]
    fn a_required_name_cannot_be_blank() {
        assert_eq!(TenantName::parse("   "), Err(NameError::Empty));
        assert_eq!(PersonName::parse(""), Err(NameError::Empty));
    }

    #[test]
    fn a_tagline_may_be_empty() {
        assert_eq!(Tagline::parse("  ").unwrap().as_str(), "");
    }

    #[test]
    fn names_allow_their_length_and_no_more() {
        assert!(TenantName::parse(&"é".repeat(80)).is_ok());
        assert_eq!(
            TenantName::parse(&"a".repeat(81)),
            Err(NameError::TooLong { max: 80 })
        );
        assert!(StageName::parse(&"s".repeat(40)).is_ok());
        assert!(StageName::parse(&"s".repeat(41)).is_err());
        assert_eq!(
            PersonName::parse(&"a".repeat(101)),
            Err(NameError::TooLong { max: 100 })
        );
    }

    #[test]
    fn taglines_allow_140_characters_and_no_more() {
        assert!(Tagline::parse(&"a".repeat(140)).is_ok());
        assert_eq!(
            Tagline::parse(&"a".repeat(141)),
            Err(NameError::TooLong { max: 140 })
        );
    }

    #[test]
    fn line_breaks_and_control_characters_inside_are_refused() {
        for bad in [
            "Acme\nLaw",
            "Acme\tLaw",
            "Acme\u{0}",
            "Acme\u{7f}",
            "A\u{2028}B",
        ] {
            assert_eq!(
                TenantName::parse(bad),
                Err(NameError::ControlCharacters),
                "{bad:?}"
            );
        }
        assert_eq!(Tagline::parse("a\r\nb"), Err(NameError::ControlCharacters));
    }

    #[test]
    fn messages_are_sentences_a_user_can_act_on() {
        assert_eq!(NameError::Empty.to_string(), "This field is required.");
        assert_eq!(
            NameError::TooLong { max: 100 }.to_string(),
            "Use at most 100 characters."
        );
        assert_eq!(
            NameError::ControlCharacters.to_string(),
            "Remove line breaks and control characters."
        );
    }

    #[test]
    fn names_serialize_as_plain_strings() {
        let name = PersonName::parse("Ada Lovelace").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Ada Lovelace\"");
        assert_eq!(name.to_string(), "Ada Lovelace");
    }
}
