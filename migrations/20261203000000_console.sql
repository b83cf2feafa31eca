-- The staff console (docs/console.md): its own database role with only the grants it needs,
-- staff sessions and two-factor, and the indexes that keep the tenant list fast at 100,000
-- tenants.

-- The console's role ------------------------------------------------------------------------

-- A group role like hcrm_app: no ownership, no BYPASSRLS, no DDL. Each database has its own
-- login in it, `hcrm_console_<database oid>`, with a password drawn here (db::pool).
do $$
begin
  create role hcrm_console nologin nosuperuser nocreatedb nocreaterole nobypassrls;
exception
  when duplicate_object or unique_violation then null;
end
$$;
grant usage on schema public to hcrm_console;

insert into hcrm_private.settings (name, value)
values ('console_login_password',
        encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));

-- What the console reads across tenants: never a password hash, a token hash, an API key
-- hash, an email body or a session's data.
grant select (id, slug, name, status, status_reason, tagline, brand_colour, api_key_prefix,
              api_key_created_at, api_key_last_used_at, old_api_key_prefix,
              old_api_key_expires_at, created_at, updated_at, plan, max_users)
  on tenants to hcrm_console;
grant select (tenant_id, user_id, role, created_at) on tenant_members to hcrm_console;
grant select (id, email, name, email_verified_at, created_at) on users to hcrm_console;
grant select (id, tenant_id, email, role, expires_at, accepted_at, revoked_at, created_at)
  on tenant_invites to hcrm_console;
grant select on lead_counts to hcrm_console;
grant select (tenant_id, etag) on tenant_logos to hcrm_console;
grant select, insert on audit_log to hcrm_console;
grant select (id, tenant_id, to_address, subject, status, attempts, last_error, created_at,
              next_attempt_at, sent_at, failed_at)
  on email_outbox to hcrm_console;
grant select (slug, tenant_id, released_at) on slug_quarantine to hcrm_console;

-- What the console changes: status, plan and seats; deletion (which cascades as the owner
-- and quarantines the subdomain); ending a tenant's sessions; the emails it causes; Retry.
grant update (status, status_reason, plan, max_users, updated_at) on tenants to hcrm_console;
grant delete on tenants to hcrm_console;
grant insert, update (tenant_id, deleted_at, released_at) on slug_quarantine to hcrm_console;
grant select (tenant_id), delete on sessions to hcrm_console;
grant insert (tenant_id, to_address, subject, sealed_body) on email_outbox to hcrm_console;
grant update (status, attempts, next_attempt_at, failed_at, last_error) on email_outbox
  to hcrm_console;

-- Row-level security stays forced on every table: the console sees across tenants through
-- policies of its own, one per table and command it needs.
create policy tenants_console_read on tenants for select to hcrm_console using (true);
create policy tenants_console_update on tenants for update to hcrm_console
  using (true) with check (true);
create policy tenants_console_delete on tenants for delete to hcrm_console using (true);
create policy tenant_members_console_read on tenant_members for select to hcrm_console
  using (true);
create policy users_console_read on users for select to hcrm_console using (true);
create policy tenant_invites_console_read on tenant_invites for select to hcrm_console
  using (true);
create policy lead_counts_console_read on lead_counts for select to hcrm_console using (true);
create policy tenant_logos_console_read on tenant_logos for select to hcrm_console
  using (true);
create policy sessions_console_end on sessions for delete to hcrm_console using (true);
create policy sessions_console_read on sessions for select to hcrm_console using (true);
create policy slug_quarantine_console on slug_quarantine for all to hcrm_console
  using (true) with check (true);
create policy email_outbox_console_read on email_outbox for select to hcrm_console
  using (true);
create policy email_outbox_console_insert on email_outbox for insert to hcrm_console
  with check (true);
create policy email_outbox_console_retry on email_outbox for update to hcrm_console
  using (status = 'failed') with check (status = 'pending');
create policy audit_log_console_read on audit_log for select to hcrm_console using (true);
create policy audit_log_console_insert on audit_log for insert to hcrm_console with check (true);

-- Staff sign-in ------------------------------------------------------------------------------

-- Two-factor: the secret being set up (shown until it is turned on), the one in use, and the
-- last 30-second step a code was accepted for, so that a code works once.
alter table staff_users
  add column totp_pending_secret bytea,
  add column totp_pending_at timestamptz,
  add column totp_secret bytea,
  add column totp_enabled_at timestamptz,
  add column totp_last_step bigint not null default 0;

-- Staff sessions: on the apex only, keyed by the SHA-256 of the cookie. `needs_code` marks a
-- session whose password was right but whose code is still to come.
create table staff_sessions (
  id_hash bytea primary key,
  staff_id uuid not null references staff_users (id) on delete cascade,
  needs_code boolean not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- A provision's one-time result (API key, invite link), sealed, until the page shows it.
  sealed_flash bytea,
  constraint staff_sessions_hash_check check (octet_length(id_hash) = 32)
);
create index staff_sessions_staff_idx on staff_sessions (staff_id);
alter table staff_sessions enable row level security;
alter table staff_sessions force row level security;

-- The tenant list at 100,000 tenants ---------------------------------------------------------

-- How many tenants each status has, kept by statement-level triggers: counting 100,000 rows
-- for the Status filter took 40 ms a view.
create table tenant_status_counts (
  status text primary key,
  tenants bigint not null
);
insert into tenant_status_counts (status, tenants)
  select s, (select count(*) from tenants t where t.status = s)
  from unnest(array['pending', 'active', 'suspended', 'rejected']) s;
alter table tenant_status_counts enable row level security;
create policy tenant_status_counts_console_read on tenant_status_counts for select
  to hcrm_console using (true);
grant select on tenant_status_counts to hcrm_console;

create function count_tenant_statuses() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    if tg_op = 'INSERT' then
      update public.tenant_status_counts c set tenants = c.tenants + n.added
        from (select status, count(*) as added from new_rows group by status) n
        where c.status = n.status;
    elsif tg_op = 'DELETE' then
      update public.tenant_status_counts c set tenants = c.tenants - o.removed
        from (select status, count(*) as removed from old_rows group by status) o
        where c.status = o.status;
    else
      -- Only the rows whose status changed: an update of anything else (branding, a key's
      -- last use) touches no counter, so it takes no counter's lock.
      update public.tenant_status_counts c set tenants = c.tenants + d.delta
        from (select status, sum(delta) as delta from (
                select n.status, 1 as delta from new_rows n join old_rows o on o.id = n.id
                where n.status <> o.status
                union all
                select o.status, -1 from new_rows n join old_rows o on o.id = n.id
                where n.status <> o.status) changed
              group by status) d
        where c.status = d.status;
    end if;
    return null;
  end
  $$;
create trigger tenants_counted_insert after insert on tenants
  referencing new table as new_rows for each statement execute function count_tenant_statuses();
create trigger tenants_counted_update after update on tenants
  referencing old table as old_rows new table as new_rows
  for each statement execute function count_tenant_statuses();
create trigger tenants_counted_delete after delete on tenants
  referencing old table as old_rows for each statement execute function count_tenant_statuses();

create extension if not exists pg_trgm;

-- The tenants a search matches: part of the subdomain, of the display name (any case), or of
-- an admin's email (a member, or the open invite of a tenant nobody joined yet). A definer
-- function because the console's role sees these tables under row-level security, where the
-- planner may not use a column's statistics for LIKE (they could leak rows), guesses, and
-- scans 100,000 rows; run as the owner, with the pattern planned each time, the trigram
-- indexes answer in a few milliseconds. It returns ids only.
create function console_matching_tenants(p_pattern text) returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, public
  rows 100
  as $$
  begin
    return query execute
      'select id from public.tenants where slug like $1 or name ilike $1
       union
       select m.tenant_id from public.users u
         join public.tenant_members m on m.user_id = u.id and m.role = ''admin''
       where u.email like $1
       union
       select i.tenant_id from public.tenant_invites i
       where i.role = ''admin'' and i.accepted_at is null and i.revoked_at is null
         and i.email like $1'
      using p_pattern;
  end
  $$;
revoke execute on function console_matching_tenants(text) from public;
grant execute on function console_matching_tenants(text) to hcrm_console;
create index tenants_created_idx on tenants (created_at, id);
create index tenants_name_idx on tenants (name, id);
create index tenants_status_created_idx on tenants (status, created_at, id);
create index tenants_status_name_idx on tenants (status, name, id);
create index tenants_slug_trgm_idx on tenants using gin (slug gin_trgm_ops);
create index tenants_name_trgm_idx on tenants using gin (name gin_trgm_ops);
create index users_email_trgm_idx on users using gin (email gin_trgm_ops);
create index tenant_members_admins_idx on tenant_members (user_id) where role = 'admin';
create index audit_log_created_idx on audit_log (created_at desc, id desc);
create index email_outbox_created_idx on email_outbox (created_at desc, id desc);
