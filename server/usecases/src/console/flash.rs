//! A result shown once on the next page a staff session opens (the Provision form's API
//! key and invite link), kept sealed with the session until then.

use domain::Token;

use crate::{Error, Platform};

/// Keeps `sealed` with the session behind `cookie`.
pub async fn keep(p: &Platform, cookie: &Token, sealed: &[u8]) -> Result<(), Error> {
    db::staff_sessions::set_flash(&p.db.owner, &cookie.hash(), sealed).await?;
    Ok(())
}

/// What [`keep`] kept for the session behind `cookie`, forgotten as it is read.
pub async fn take(p: &Platform, cookie: &Token) -> Result<Option<Vec<u8>>, Error> {
    Ok(db::staff_sessions::take_flash(&p.db.owner, &cookie.hash()).await?)
}
