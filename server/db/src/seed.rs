//! Demo data in bulk, for benchmarks and trying the console at scale (`cargo hcrm
//! seed-tenants`, owner pool). Every seeded tenant is whole: slug, name, a status, an API
//! key hash, the default stages, an admin account and membership, and this month's lead
//! count. Seeded subdomains are `seed-<run>-<n>`.

use sqlx::PgPool;

use crate::Error;

/// Adds `count` tenants in batches of 10,000; how many were added.
pub async fn tenants(owner: &PgPool, count: u32, run: &str) -> Result<u64, Error> {
    let mut added = 0;
    let mut start: i64 = 1;
    let count = i64::from(count);
    while start <= count {
        let end = (start + 9_999).min(count);
        let mut tx = owner.begin().await?;
        let done = sqlx::query(
            "with n as (select g as n, gen_random_uuid() as id, gen_random_uuid() as user_id
                        from generate_series($1::bigint, $2::bigint) g),
                  t as (insert into tenants (id, slug, name, status, api_key_hash, api_key_prefix, plan, created_at)
                        select id, 'seed-' || $3 || '-' || n,
                               (array['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay'])[1 + n % 8]
                                 || ' ' || (array['Law', 'Dental', 'Realty', 'Plumbing', 'Studio', 'Clinic'])[1 + n % 6]
                                 || ' ' || n,
                               (array['active', 'active', 'active', 'pending', 'suspended', 'rejected'])[1 + n % 6],
                               sha256(convert_to(id::text, 'UTF8')), 'hcrm_seed',
                               (array['free', 'starter', 'professional', 'enterprise'])[1 + n % 4],
                               now() - make_interval(mins => n::int)
                        from n returning id),
                  u as (insert into users (id, email, name, password_hash, email_verified_at)
                        select user_id, 'admin' || n || '@seed-' || $3 || '.example', 'Admin ' || n, '!', now() from n),
                  m as (insert into tenant_members (tenant_id, user_id, role) select id, user_id, 'admin' from n),
                  c as (insert into lead_counts (tenant_id, month, leads, last_lead_at)
                        select id, date_trunc('month', now())::date, n % 50, now() from n where n % 3 = 0)
             select id from t",
        )
        .bind(start)
        .bind(end)
        .bind(run)
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<uuid::Uuid> = done
            .iter()
            .map(|row| sqlx::Row::try_get(row, 0))
            .collect::<Result<_, _>>()?;
        sqlx::query("select seed_default_pipeline_stages(id) from unnest($1::uuid[]) id")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        added += ids.len() as u64;
        start = end + 1;
    }
    sqlx::query("analyze tenants, users, tenant_members, lead_counts")
        .execute(owner)
        .await?;
    Ok(added)
}
