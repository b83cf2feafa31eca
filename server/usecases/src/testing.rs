//! Test helpers: a [`Platform`] on a fresh database of its own.

use std::sync::Arc;

use db::testing::TestDb;
use domain::Links;

use crate::{
    Platform, Settings,
    limits::{Limit, Limits},
    sealing::MailKey,
};

/// A platform on `db` for the apex `localhost:3000`, with the default limits, a fresh mail
/// key, and `settings`.
pub fn platform_with(test: &TestDb, settings: Settings) -> Platform {
    let limit = |text: &str| text.parse::<Limit>().expect("a valid limit");
    Platform {
        db: test.db.clone(),
        links: Links::new("http", "localhost:3000"),
        limits: Arc::new(Limits::new(
            limit("5/15m"),
            limit("60/1m"),
            limit("120/1m"),
            limit("10/15m"),
            limit("5/1h"),
        )),
        settings: Arc::new(settings),
        mail_key: MailKey::generate(),
    }
}

/// A platform on `db` with the default settings.
pub fn platform(test: &TestDb) -> Platform {
    platform_with(test, Settings::default())
}
