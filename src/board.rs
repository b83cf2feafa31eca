//! The pipeline board as pages show it: stages as columns, leads as cards.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The board of one workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub columns: Vec<Column>,
}

/// One stage and its newest leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub stage_id: Uuid,
    pub name: String,
    pub colour: String,
    /// How many leads the stage holds (the column may show fewer).
    pub total: i64,
    pub cards: Vec<Card>,
}

/// A lead's card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    /// When the lead arrived, e.g. "23 Nov 2026, 14:05 UTC".
    pub received: String,
}

/// A lead's name on its card: "First Last" if either is known, else the email, else the
/// phone (empty if none of these is set).
pub fn display_name(
    first: Option<&str>,
    last: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> String {
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !name.trim().is_empty() {
        name.trim().to_owned()
    } else {
        email.or(phone).unwrap_or_default().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_display_name_prefers_the_name_then_email_then_phone() {
        let (email, phone) = (Some("ada@example.com"), Some("12345"));
        assert_eq!(display_name(Some("Ada"), None, email, phone), "Ada");
        assert_eq!(
            display_name(Some("Ada"), Some("Lovelace"), email, phone),
            "Ada Lovelace"
        );
        assert_eq!(
            display_name(None, Some("Lovelace"), email, phone),
            "Lovelace"
        );
        assert_eq!(display_name(None, None, email, phone), "ada@example.com");
        assert_eq!(display_name(None, None, None, phone), "12345");
        assert_eq!(display_name(None, None, None, None), "");
    }
}
