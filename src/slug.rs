//! Workspace subdomains ("slugs"): `acme` in `acme.hrefcrm.com`.

use std::fmt;

/// A workspace's subdomain: 1 to 63 characters of `a-z`, `0-9` and `-`, not
/// starting or ending with a hyphen, not punycode-shaped, and not reserved.
///
/// Build one with [`Slug::parse`] (staff) or [`Slug::parse_for_signup`]
/// (self-service). `Deserialize` trusts its input (it is for values this
/// system wrote itself); parse anything that comes from a user.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Slug(String);

/// Why a subdomain was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// Nothing was entered.
    #[error("Enter a subdomain.")]
    Empty,
    /// A character other than `a-z`, `0-9` or `-` (the first one found).
    #[error(
        "Use only lowercase letters, digits and hyphens (found {}).",
        describe_char(*.0)
    )]
    InvalidCharacter(char),
    /// Starts with `-`, which DNS labels may not.
    #[error("A subdomain can't start with a hyphen.")]
    LeadingHyphen,
    /// Ends with `-`, which DNS labels may not.
    #[error("A subdomain can't end with a hyphen.")]
    TrailingHyphen,
    /// `--` as the 3rd and 4th characters, the shape of punycode (`xn--`).
    #[error("A subdomain can't have “--” as its 3rd and 4th characters.")]
    Punycode,
    /// Longer than a DNS label may be.
    #[error("Use at most {max} characters.")]
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// Shorter than self-service signup allows.
    #[error("Use at least {min} characters.")]
    TooShort {
        /// The fewest characters allowed.
        min: usize,
    },
    /// Kept for our own use (see [`RESERVED`]).
    #[error("That subdomain is reserved.")]
    Reserved,
}

impl SlugError {
    /// Whether the name was refused only because it is reserved, so the UI
    /// can offer [`alternatives`].
    pub fn is_reserved(&self) -> bool {
        matches!(self, SlugError::Reserved)
    }
}

/// Names a workspace can never take: our own hosts, mail and DNS names, and
/// words that would confuse users or enable phishing.
pub const RESERVED: &[&str] = &[
    "www",
    "www2",
    "admin",
    "api",
    "app",
    "apps",
    "signup",
    "login",
    "logout",
    "auth",
    "sso",
    "oauth",
    "mail",
    "email",
    "webmail",
    "smtp",
    "imap",
    "pop",
    "pop3",
    "mx",
    "ftp",
    "static",
    "assets",
    "cdn",
    "media",
    "files",
    "docs",
    "help",
    "support",
    "status",
    "blog",
    "dev",
    "staging",
    "test",
    "demo",
    "billing",
    "dashboard",
    "console",
    "account",
    "accounts",
    "settings",
    "root",
    "system",
    "ns",
    "ns1",
    "ns2",
    "postmaster",
    "hostmaster",
    "abuse",
    "security",
    "href",
    "localhost",
];

/// Whether `name` is in [`RESERVED`] (compared ignoring ASCII case).
pub fn is_reserved(name: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

impl Slug {
    /// The longest a DNS label may be.
    pub const MAX_LEN: usize = 63;
    /// The shortest subdomain self-service signup accepts (staff may go to 1).
    pub const MIN_SELF_SERVICE_LEN: usize = 3;

    /// Parses a subdomain under staff rules: 1 to [`Slug::MAX_LEN`] characters.
    ///
    /// The input is trimmed and lower-cased first.
    pub fn parse(input: &str) -> Result<Slug, SlugError> {
        Self::parse_with_min(input, 1)
    }

    /// Parses a subdomain under signup rules: as [`Slug::parse`], and at least
    /// [`Slug::MIN_SELF_SERVICE_LEN`] characters (short names are kept for staff).
    pub fn parse_for_signup(input: &str) -> Result<Slug, SlugError> {
        Self::parse_with_min(input, Self::MIN_SELF_SERVICE_LEN)
    }

    fn parse_with_min(input: &str, min: usize) -> Result<Slug, SlugError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if let Some(c) = s.chars().find(|&c| !is_slug_char(c)) {
            return Err(SlugError::InvalidCharacter(c));
        }
        // From here on `s` is ASCII, so byte lengths and indexes are characters.
        if s.starts_with('-') {
            return Err(SlugError::LeadingHyphen);
        }
        if s.ends_with('-') {
            return Err(SlugError::TrailingHyphen);
        }
        if s.get(2..4) == Some("--") {
            return Err(SlugError::Punycode);
        }
        if s.len() > Self::MAX_LEN {
            return Err(SlugError::TooLong { max: Self::MAX_LEN });
        }
        if s.len() < min {
            return Err(SlugError::TooShort { min });
        }
        if is_reserved(&s) {
            return Err(SlugError::Reserved);
        }
        Ok(Slug(s))
    }

    /// The subdomain as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// Names a refused character so the user can find it, even when invisible.
fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".to_owned()
    } else if c.is_whitespace() || c.is_control() {
        format!("an invisible character, U+{:04X}", u32::from(c))
    } else {
        format!("“{c}”")
    }
}

/// Suggests a subdomain from a company name: "Acme Family Law" → "acme-family-law".
///
/// Lower-cases, folds common accented Latin letters to ASCII, drops
/// apostrophes ("Joe's" → "joes"), turns `&` into `and` and every other run of
/// characters into one hyphen, then cuts to [`Slug::MAX_LEN`]. The result may
/// still be too short, reserved or empty: callers parse it.
pub fn suggest_from_name(name: &str) -> String {
    let mut out = String::new();
    // A separator is only written once the next kept letter arrives, which
    // collapses runs and trims hyphens at both ends.
    let mut pending_hyphen = false;
    let mut buf = [0u8; 4];
    for c in name.to_lowercase().chars() {
        let text: &str = match c {
            // Apostrophes join ("Joe's" is one word); combining accents from
            // decomposed input ("e\u{301}") are dropped so the letter stays.
            '\'' | '’' | '\u{300}'..='\u{36f}' => continue,
            '&' => "and",
            c if c.is_ascii_alphanumeric() => c.encode_utf8(&mut buf),
            c => match fold_accent(c) {
                Some(text) => text,
                None => {
                    pending_hyphen = true;
                    continue;
                }
            },
        };
        if pending_hyphen && !out.is_empty() {
            out.push('-');
        }
        pending_hyphen = false;
        out.push_str(text);
    }
    // Runs are collapsed above, so "--" should not appear; guard the punycode shape anyway.
    while out.get(2..4) == Some("--") {
        out.remove(3);
    }
    // `out` is ASCII, so truncating by bytes is truncating by characters.
    out.truncate(Slug::MAX_LEN);
    out.truncate(out.trim_end_matches('-').len());
    out
}

/// Folds a common lower-case accented Latin letter to ASCII.
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

/// Alternatives to offer when `base` is taken, reserved or quarantined, best
/// first. Each passes [`Slug::parse_for_signup`]; none equals `base`.
///
/// Returns nothing when `base` is empty or not made of `a-z`, `0-9` and `-`.
pub fn alternatives(base: &str) -> Vec<String> {
    if base.is_empty() || !base.chars().all(is_slug_char) {
        return Vec::new();
    }
    let mut patterns: Vec<(&str, String)> = vec![
        ("", "-hq".to_owned()),
        ("", "-team".to_owned()),
        ("", "-crm".to_owned()),
        ("", "-co".to_owned()),
        ("get-", String::new()),
        ("", "-app".to_owned()),
    ];
    patterns.extend((2..=9).map(|n| ("", n.to_string())));
    patterns.push(("my-", String::new()));

    let mut out: Vec<String> = Vec::new();
    for (prefix, suffix) in patterns {
        // `base` is ASCII (checked above), so byte slicing is safe.
        let room = Slug::MAX_LEN - prefix.len() - suffix.len();
        let stem = base[..base.len().min(room)].trim_end_matches('-');
        let candidate = format!("{prefix}{stem}{suffix}");
        if candidate != base
            && !out.contains(&candidate)
            && Slug::parse_for_signup(&candidate).is_ok()
        {
            out.push(candidate);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_accepted() {
        assert_eq!(Slug::parse("acme").unwrap().as_str(), "acme");
    }

    #[test]
    fn input_is_trimmed_and_lower_cased() {
        assert_eq!(Slug::parse("  AcMe-Law \n").unwrap().as_str(), "acme-law");
    }

    #[test]
    fn an_empty_input_is_refused() {
        assert_eq!(Slug::parse("   "), Err(SlugError::Empty));
        assert_eq!(Slug::parse_for_signup(""), Err(SlugError::Empty));
    }

    #[test]
    fn the_first_character_outside_the_alphabet_is_reported() {
        assert_eq!(Slug::parse("a_b c"), Err(SlugError::InvalidCharacter('_')));
        assert_eq!(Slug::parse("a b"), Err(SlugError::InvalidCharacter(' ')));
        assert_eq!(Slug::parse("cafÉ"), Err(SlugError::InvalidCharacter('é')));
    }

    #[test]
    fn a_leading_hyphen_is_refused() {
        assert_eq!(Slug::parse("-acme"), Err(SlugError::LeadingHyphen));
    }

    #[test]
    fn a_trailing_hyphen_is_refused() {
        assert_eq!(Slug::parse("acme-"), Err(SlugError::TrailingHyphen));
    }

    #[test]
    fn hyphens_as_third_and_fourth_characters_are_refused() {
        assert_eq!(Slug::parse("xn--acme"), Err(SlugError::Punycode));
        assert_eq!(Slug::parse("ab--c"), Err(SlugError::Punycode));
    }

    #[test]
    fn double_hyphens_elsewhere_are_allowed() {
        assert!(Slug::parse("a--b").is_ok());
        assert!(Slug::parse("abcd--e").is_ok());
    }

    #[test]
    fn sixty_three_characters_are_allowed_and_sixty_four_are_not() {
        assert!(Slug::parse(&"a".repeat(63)).is_ok());
        assert_eq!(
            Slug::parse(&"a".repeat(64)),
            Err(SlugError::TooLong { max: 63 })
        );
    }

    #[test]
    fn staff_may_use_one_character() {
        assert_eq!(Slug::parse("x").unwrap().as_str(), "x");
    }

    #[test]
    fn signup_needs_at_least_three_characters() {
        assert_eq!(
            Slug::parse_for_signup("ab"),
            Err(SlugError::TooShort { min: 3 })
        );
        assert!(Slug::parse_for_signup("abc").is_ok());
    }

    #[test]
    fn every_reserved_name_is_refused_by_both_parsers() {
        for name in RESERVED {
            assert_eq!(Slug::parse(name), Err(SlugError::Reserved), "{name}");
            assert!(Slug::parse_for_signup(name).is_err(), "{name}");
            assert!(is_reserved(name), "{name}");
        }
    }

    #[test]
    fn reserved_names_are_matched_whatever_their_case() {
        assert_eq!(Slug::parse(" WWW "), Err(SlugError::Reserved));
        assert!(is_reserved("Admin"));
        assert!(!is_reserved("acme"));
    }

    #[test]
    fn the_reserved_error_says_so() {
        assert!(SlugError::Reserved.is_reserved());
        assert!(!SlugError::Empty.is_reserved());
    }

    #[test]
    fn the_list_contains_every_name_the_brief_requires() {
        let required = [
            "www",
            "admin",
            "api",
            "app",
            "apps",
            "signup",
            "login",
            "logout",
            "auth",
            "sso",
            "oauth",
            "mail",
            "email",
            "smtp",
            "imap",
            "pop",
            "ftp",
            "static",
            "assets",
            "cdn",
            "media",
            "files",
            "docs",
            "help",
            "support",
            "status",
            "blog",
            "dev",
            "staging",
            "test",
            "demo",
            "billing",
            "dashboard",
            "console",
            "account",
            "accounts",
            "settings",
            "root",
            "system",
            "ns1",
            "ns2",
            "href",
            "localhost",
        ];
        for name in required {
            assert!(RESERVED.contains(&name), "{name}");
        }
    }

    #[test]
    fn messages_are_sentences_a_user_can_act_on() {
        assert_eq!(SlugError::Empty.to_string(), "Enter a subdomain.");
        assert_eq!(
            SlugError::InvalidCharacter(' ').to_string(),
            "Use only lowercase letters, digits and hyphens (found a space)."
        );
        assert_eq!(
            SlugError::InvalidCharacter('_').to_string(),
            "Use only lowercase letters, digits and hyphens (found “_”)."
        );
        assert_eq!(
            SlugError::InvalidCharacter('\t').to_string(),
            "Use only lowercase letters, digits and hyphens (found an invisible character, U+0009)."
        );
        assert_eq!(
            SlugError::Punycode.to_string(),
            "A subdomain can't have “--” as its 3rd and 4th characters."
        );
        assert_eq!(
            SlugError::TooLong { max: 63 }.to_string(),
            "Use at most 63 characters."
        );
        assert_eq!(
            SlugError::TooShort { min: 3 }.to_string(),
            "Use at least 3 characters."
        );
        assert_eq!(
            SlugError::Reserved.to_string(),
            "That subdomain is reserved."
        );
    }

    #[test]
    fn a_slug_serializes_as_a_plain_string() {
        let slug = Slug::parse("acme").unwrap();
        assert_eq!(serde_json::to_string(&slug).unwrap(), "\"acme\"");
        let back: Slug = serde_json::from_str("\"acme\"").unwrap();
        assert_eq!(back, slug);
        assert_eq!(slug.to_string(), "acme");
        assert_eq!(slug.as_ref(), "acme");
    }

    #[test]
    fn a_company_name_becomes_hyphenated_words() {
        assert_eq!(suggest_from_name("Acme Family Law"), "acme-family-law");
    }

    #[test]
    fn apostrophes_are_dropped_from_suggestions() {
        assert_eq!(suggest_from_name("Joe's Pizza"), "joes-pizza");
        assert_eq!(suggest_from_name("Joe’s Pizza"), "joes-pizza");
    }

    #[test]
    fn an_ampersand_becomes_and() {
        assert_eq!(suggest_from_name("Smith & Jones"), "smith-and-jones");
        assert_eq!(suggest_from_name("AT&T"), "atandt");
    }

    #[test]
    fn accented_letters_are_folded_to_ascii() {
        assert_eq!(suggest_from_name("Café Müller"), "cafe-muller");
        assert_eq!(suggest_from_name("ÆRØ Straße"), "aero-strasse");
        assert_eq!(suggest_from_name("Œuvre Niño Ýves"), "oeuvre-nino-yves");
        assert_eq!(suggest_from_name("Cafe\u{301}"), "cafe");
    }

    #[test]
    fn runs_of_other_characters_become_one_hyphen_and_ends_are_trimmed() {
        assert_eq!(
            suggest_from_name("  --Acme!!! (UK) Ltd.--  "),
            "acme-uk-ltd"
        );
    }

    #[test]
    fn suggestions_are_cut_to_sixty_three_characters_without_a_trailing_hyphen() {
        let name = format!("{} {}", "a".repeat(62), "bcd");
        let s = suggest_from_name(&name);
        assert_eq!(s, "a".repeat(62));
        assert!(suggest_from_name(&"word ".repeat(30)).len() <= 63);
    }

    #[test]
    fn a_name_with_nothing_usable_suggests_nothing() {
        assert_eq!(suggest_from_name("日本 !!!"), "");
        assert_eq!(suggest_from_name(""), "");
    }

    #[test]
    fn alternatives_come_in_preference_order() {
        let alts = alternatives("acme");
        assert_eq!(
            alts,
            [
                "acme-hq",
                "acme-team",
                "acme-crm",
                "acme-co",
                "get-acme",
                "acme-app",
                "acme2",
                "acme3",
                "acme4",
                "acme5",
                "acme6",
                "acme7",
                "acme8",
                "acme9",
                "my-acme",
            ]
        );
    }

    #[test]
    fn every_alternative_passes_signup_rules_and_none_repeats_the_base() {
        let bases = [
            "a",
            "ab",
            "acme",
            "www",
            "a-",
            &"x".repeat(63),
            &format!("{}-{}", "y".repeat(59), "zzz"),
        ];
        for base in bases {
            let alts = alternatives(base);
            assert!(!alts.is_empty(), "{base}");
            for alt in &alts {
                assert!(Slug::parse_for_signup(alt).is_ok(), "{alt}");
                assert!(alt.len() <= Slug::MAX_LEN, "{alt}");
                assert_ne!(alt, base);
            }
            let mut unique = alts.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), alts.len(), "{base}");
        }
    }

    #[test]
    fn long_bases_are_truncated_to_fit() {
        let base = "x".repeat(63);
        let alts = alternatives(&base);
        assert_eq!(alts[0], format!("{}-hq", "x".repeat(60)));
        assert!(alts.contains(&format!("get-{}", "x".repeat(59))));
    }

    #[test]
    fn alternatives_that_would_break_a_rule_are_left_out() {
        // "a2" is too short for signup, so it is skipped while "a-hq" is kept.
        let alts = alternatives("a");
        assert!(alts.contains(&"a-hq".to_owned()));
        assert!(!alts.contains(&"a2".to_owned()));
    }

    #[test]
    fn an_empty_or_invalid_base_has_no_alternatives() {
        assert!(alternatives("").is_empty());
        assert!(alternatives("Acme").is_empty());
        assert!(alternatives("a b").is_empty());
    }
}
