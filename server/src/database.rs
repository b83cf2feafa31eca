//! Opening the database for the server and the CLI: `DATABASE_URL`, or the embedded
//! cluster in the checkout's `.data/` folder (`HCRM_DATA_DIR`).

use db::{
    Database,
    embedded::{Embedded, Tuning},
};

use crate::config::Config;

/// The database of a running process, and the embedded cluster if it uses one.
pub struct DatabaseHandle {
    pub db: Database,
    embedded: Option<Embedded>,
}

impl DatabaseHandle {
    /// Connects (starting the embedded cluster if needed) and applies the migrations.
    pub async fn open(config: &Config) -> Result<DatabaseHandle, String> {
        let (owner_url, embedded) = match &config.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let data_dir = config.data_dir.clone();
                let embedded = tokio::task::spawn_blocking(move || {
                    Embedded::start(&data_dir, "postgres", Tuning::Durable)
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("{e:?}"))?;
                let url = embedded
                    .ensure_database("hcrm")
                    .await
                    .map_err(|e| format!("{e:?}"))?;
                (url, Some(embedded))
            }
        };
        let db = db::connect(
            &owner_url,
            config.app_database_url.as_deref(),
            config.pool_sizes,
        )
        .await
        .map_err(|e| format!("cannot open the database: {e:?}"))?;
        // What the SQL migrations cannot do without the key: seal two-factor secrets stored
        // in clear by an earlier version.
        let sealed = usecases::two_factor::seal_stored_secrets(&db.owner, &config.sealing_key()?)
            .await
            .map_err(|e| format!("cannot seal the stored two-factor secrets: {e}"))?;
        if sealed > 0 {
            tracing::info!(
                accounts = sealed,
                "sealed two-factor secrets stored in clear"
            );
        }
        Ok(DatabaseHandle { db, embedded })
    }

    /// Closes the pools, and stops the embedded cluster if no other process uses it.
    pub async fn close(self) {
        self.db.app.close().await;
        self.db.owner.close().await;
        if let Some(embedded) = self.embedded {
            let stopped = tokio::task::spawn_blocking(move || embedded.stop()).await;
            if let Ok(Err(e)) = stopped {
                tracing::warn!(error = ?e, "could not stop the embedded Postgres");
            }
        }
    }
}
