//! Test helpers: a [`Platform`] on a fresh database of its own.

use std::sync::Arc;

use db::testing::TestDb;
use domain::Links;

use crate::{
    Platform, Settings,
    limits::{LimitSettings, Limits},
    receive_lead::{Intake, QueueSettings},
    sealing::SealingKey,
};

/// A platform on `db` for the apex `localhost:3000`, with the default limits, a fresh mail
/// key, and `settings` (its intake writers run on the caller's runtime).
pub fn platform_with(test: &TestDb, settings: Settings) -> Platform {
    let limits = LimitSettings::default();
    Platform {
        db: test.db.clone(),
        links: Links::new("http", "localhost:3000"),
        intake: Intake::start(test.db.app.clone(), limits.intake, QueueSettings::default()),
        limits: Arc::new(Limits::new(limits)),
        settings: Arc::new(settings),
        sealing_key: SealingKey::generate(),
    }
}

/// A platform on `db` with the default settings.
pub fn platform(test: &TestDb) -> Platform {
    platform_with(test, Settings::default())
}
