//! Brand colours.

use std::fmt;

/// A colour as lower-case `#rrggbb`, safe to put straight into CSS.
///
/// `Deserialize` trusts its input (it is for values this system wrote
/// itself); parse anything that comes from a user.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct HexColour(String);

/// Why a colour was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexColourError {
    /// Not `#rgb` or `#rrggbb`.
    #[error("Use a hex colour like #2563eb.")]
    Invalid,
}

/// Text colour for light backgrounds (Tailwind gray-900).
const DARK_TEXT: &str = "#111827";
/// Text colour for dark backgrounds.
const LIGHT_TEXT: &str = "#ffffff";

impl HexColour {
    /// Parses `#rrggbb` or `#rgb` in any case, after trimming.
    pub fn parse(input: &str) -> Result<HexColour, HexColourError> {
        let digits = input
            .trim()
            .strip_prefix('#')
            .ok_or(HexColourError::Invalid)?;
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(HexColourError::Invalid);
        }
        let digits = digits.to_ascii_lowercase();
        let full = match digits.len() {
            6 => digits,
            // #abc is shorthand for #aabbcc.
            3 => digits.chars().flat_map(|c| [c, c]).collect(),
            _ => return Err(HexColourError::Invalid),
        };
        Ok(HexColour(format!("#{full}")))
    }

    /// The default brand colour (Tailwind blue-600).
    pub fn default_brand() -> HexColour {
        HexColour("#2563eb".to_owned())
    }

    /// The colour as `#rrggbb`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text colour (`#ffffff` or `#111827`) with the higher WCAG contrast
    /// ratio against this colour as a background.
    pub fn readable_text(&self) -> &'static str {
        self.best_text().0
    }

    /// The WCAG contrast ratio of [`HexColour::readable_text`] on this colour (1 to 21).
    pub fn text_contrast(&self) -> f64 {
        self.best_text().1
    }

    /// Whether text drawn on this colour meets WCAG AA for normal text (4.5:1).
    pub fn meets_aa(&self) -> bool {
        self.text_contrast() >= AA_CONTRAST
    }

    /// A warning for a colour whose text would be hard to read, or `None`.
    pub fn contrast_warning(&self) -> Option<String> {
        (!self.meets_aa()).then(|| {
            format!(
                "Text on this colour is hard to read: its contrast is {:.1}:1, and WCAG AA asks for 4.5:1. Pick a darker or a lighter shade.",
                (self.text_contrast() * 10.0).floor() / 10.0
            )
        })
    }

    fn best_text(&self) -> (&'static str, f64) {
        let background = relative_luminance(&self.0);
        let on_light = contrast(background, relative_luminance(LIGHT_TEXT));
        let on_dark = contrast(background, relative_luminance(DARK_TEXT));
        if on_light >= on_dark {
            (LIGHT_TEXT, on_light)
        } else {
            (DARK_TEXT, on_dark)
        }
    }
}

/// WCAG AA's contrast for normal text.
const AA_CONTRAST: f64 = 4.5;

/// WCAG 2 relative luminance of a `#rrggbb` string (0 = black, 1 = white).
fn relative_luminance(hex: &str) -> f64 {
    let channel = |range: std::ops::Range<usize>| -> f64 {
        let byte = hex
            .get(range)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        // Undo the sRGB transfer curve to get linear light.
        let c = f64::from(byte) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1..3) + 0.7152 * channel(3..5) + 0.0722 * channel(5..7)
}

/// WCAG 2 contrast ratio between two luminances (1 to 21).
fn contrast(a: f64, b: f64) -> f64 {
    let (lighter, darker) = if a >= b { (a, b) } else { (b, a) };
    (lighter + 0.05) / (darker + 0.05)
}

impl AsRef<str> for HexColour {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HexColour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_six_digit_colour_is_stored_lower_case() {
        assert_eq!(HexColour::parse(" #2563EB ").unwrap().as_str(), "#2563eb");
    }

    #[test]
    fn a_three_digit_colour_is_expanded() {
        assert_eq!(HexColour::parse("#AbC").unwrap().as_str(), "#aabbcc");
    }

    #[test]
    fn a_colour_without_a_hash_is_refused() {
        assert_eq!(HexColour::parse("2563eb"), Err(HexColourError::Invalid));
    }

    #[test]
    fn other_lengths_and_non_hex_digits_are_refused() {
        for bad in [
            "", "#", "#12", "#1234", "#12345", "#1234567", "#ggg", "#12 45 6", "red",
        ] {
            assert_eq!(HexColour::parse(bad), Err(HexColourError::Invalid), "{bad}");
        }
    }

    #[test]
    fn the_message_shows_an_example() {
        assert_eq!(
            HexColourError::Invalid.to_string(),
            "Use a hex colour like #2563eb."
        );
    }

    #[test]
    fn the_default_brand_is_blue() {
        assert_eq!(HexColour::default_brand().as_str(), "#2563eb");
    }

    #[test]
    fn dark_colours_get_white_text_and_light_colours_get_dark_text() {
        let text = |c: &str| HexColour::parse(c).unwrap().readable_text();
        assert_eq!(text("#000000"), "#ffffff");
        assert_eq!(text("#2563eb"), "#ffffff");
        assert_eq!(text("#ffffff"), "#111827");
        assert_eq!(text("#facc15"), "#111827");
        // Mid grey: dark text wins (about 4.5 against 4.0).
        assert_eq!(text("#808080"), "#111827");
    }

    #[test]
    fn a_colour_whose_best_text_falls_short_of_aa_is_warned_about() {
        let colour = |c: &str| HexColour::parse(c).unwrap();
        assert!(colour("#2563eb").meets_aa());
        assert!(colour("#000000").meets_aa());
        assert!(colour("#ffffff").contrast_warning().is_none());
        // Mid tones: neither white nor near-black text reaches 4.5:1.
        let grey = colour("#787878");
        assert!(!grey.meets_aa(), "{}", grey.text_contrast());
        assert!(grey.contrast_warning().unwrap().contains("4.5:1"));
    }

    #[test]
    fn luminance_follows_wcag() {
        assert!((relative_luminance("#ffffff") - 1.0).abs() < 1e-9);
        assert!(relative_luminance("#000000").abs() < 1e-9);
        assert!((contrast(1.0, 0.0) - 21.0).abs() < 1e-9);
    }
}
