//! Test helpers: a [`Platform`] on a fresh database of its own.

use std::sync::Arc;

use db::testing::TestDb;
use domain::Links;

use crate::{
    Platform, Settings,
    limits::{LimitSettings, Limits},
    sealing::SealingKey,
};

/// A platform on `db` for the apex `localhost:3000`, with the default limits, a fresh mail
/// key, and `settings`.
pub fn platform_with(test: &TestDb, settings: Settings) -> Platform {
    Platform {
        db: test.db.clone(),
        links: Links::new("http", "localhost:3000"),
        limits: Arc::new(Limits::new(LimitSettings::default())),
        settings: Arc::new(settings),
        sealing_key: SealingKey::generate(),
    }
}

/// A platform on `db` with the default settings.
pub fn platform(test: &TestDb) -> Platform {
    platform_with(test, Settings::default())
}
