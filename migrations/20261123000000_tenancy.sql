-- The platform's first schema: tenants and their people, pipelines, leads, sessions,
-- audit and outbox, with row-level security on every tenant-owned table.
--
-- Two roles touch this database (docs/tenancy.md):
--   * the owner (DATABASE_URL) runs these migrations and owns every table and function;
--   * `hcrm_app`, a group role with no ownership, no BYPASSRLS, that the server's request
--     traffic logs in as. It sees a tenant's rows only after
--     `select set_config('app.tenant_id', <uuid>, true)` inside its transaction.

do $$
begin
  create role hcrm_app nologin nosuperuser nocreatedb nocreaterole nobypassrls;
exception
  -- The role is cluster-wide: another database of this cluster may have made it already.
  when duplicate_object or unique_violation then null;
end
$$;

revoke create on schema public from public;
grant usage on schema public to hcrm_app;

-- The tenant of the current transaction, or NULL. After a `set_config(..., true)` ends the
-- setting reads back as '' rather than NULL, hence the NULLIF (SECURITY.md, trap 3).
create function current_tenant_id() returns uuid
  language sql stable
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Tenants ----------------------------------------------------------------------------------

create table tenants (
  id uuid primary key,
  slug text not null,
  name text not null,
  status text not null,
  status_reason text,
  tagline text not null default '',
  brand_colour text not null default '#2563eb',
  api_key_hash bytea not null,
  api_key_prefix text not null,
  api_key_created_at timestamptz not null default now(),
  api_key_last_used_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenants_slug_key unique (slug),
  constraint tenants_slug_format check (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  constraint tenants_status_check check (status in ('pending', 'active', 'suspended', 'rejected')),
  constraint tenants_brand_colour_check check (brand_colour ~ '^#[0-9a-f]{6}$'),
  constraint tenants_api_key_hash_check check (octet_length(api_key_hash) = 32),
  constraint tenants_api_key_hash_key unique (api_key_hash)
);

-- A deleted tenant's subdomain stays unavailable until `released_at` (SPEC: 30 days).
create table slug_quarantine (
  slug text primary key,
  tenant_id uuid not null,
  deleted_at timestamptz not null default now(),
  released_at timestamptz not null
);

-- People -----------------------------------------------------------------------------------

-- Users are global: one person may belong to several tenants.
create table users (
  id uuid primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  email_verified_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_email_key unique (email),
  constraint users_email_lower_check check (email = lower(email))
);

create table tenant_members (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null,
  created_at timestamptz not null default now(),
  constraint tenant_members_pkey primary key (tenant_id, user_id),
  constraint tenant_members_role_check check (role in ('admin', 'member'))
);
create index tenant_members_user_idx on tenant_members (user_id);

create table tenant_invites (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  email text not null,
  role text not null,
  token_hash bytea not null,
  invited_by uuid references users (id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references users (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  constraint tenant_invites_token_hash_key unique (token_hash),
  constraint tenant_invites_role_check check (role in ('admin', 'member')),
  constraint tenant_invites_email_lower_check check (email = lower(email))
);
create index tenant_invites_tenant_idx on tenant_invites (tenant_id, created_at desc);
-- One open invite per address and tenant: a second one is a resend, not a new row.
create unique index tenant_invites_open_email_key on tenant_invites (tenant_id, email)
  where accepted_at is null and revoked_at is null;

-- Pipeline and leads -----------------------------------------------------------------------

create table pipeline_stages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null,
  colour text not null,
  stage_type text not null,
  sort_order integer not null,
  created_at timestamptz not null default now(),
  -- The target of leads' composite foreign key: a lead cannot point at another tenant's stage.
  constraint pipeline_stages_id_tenant_key unique (id, tenant_id),
  -- Deferred so that reordering can swap two positions inside one transaction.
  constraint pipeline_stages_sort_order_key unique (tenant_id, sort_order) deferrable initially deferred,
  constraint pipeline_stages_type_check check (stage_type in ('active', 'won', 'lost')),
  constraint pipeline_stages_colour_check check (colour ~ '^#[0-9a-f]{6}$')
);
create unique index pipeline_stages_name_key on pipeline_stages (tenant_id, lower(name));

create table leads (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  stage_id uuid not null,
  first_name text,
  last_name text,
  email text,
  phone text,
  company text,
  source text,
  message text,
  extra jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint leads_stage_fkey foreign key (stage_id, tenant_id)
    references pipeline_stages (id, tenant_id),
  constraint leads_contact_check check (email is not null or phone is not null)
);
create index leads_board_idx on leads (tenant_id, stage_id, created_at desc);

-- The five stages every tenant starts with. Runs as the caller, so row-level security
-- requires the caller's transaction to be set to this tenant.
create function seed_default_pipeline_stages(p_tenant_id uuid) returns void
  language sql
  as $$
    insert into pipeline_stages (tenant_id, sort_order, name, colour, stage_type) values
      (p_tenant_id, 1, 'New', '#3b82f6', 'active'),
      (p_tenant_id, 2, 'Contacted', '#a855f7', 'active'),
      (p_tenant_id, 3, 'Qualified', '#06b6d4', 'active'),
      (p_tenant_id, 4, 'Won', '#10b981', 'won'),
      (p_tenant_id, 5, 'Lost', '#ef4444', 'lost');
  $$;

-- Sessions, rate limits, idempotency ---------------------------------------------------------

-- tower-sessions records, stored by the SHA-256 of their id so a read of this table
-- cannot be replayed as a cookie.
create table sessions (
  id_hash bytea primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  data jsonb not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index sessions_tenant_user_idx on sessions (tenant_id, user_id);
create index sessions_expires_idx on sessions (expires_at);

-- Failed sign-ins per tenant and address (SPEC: 10 per account per 15 minutes).
create table login_failures (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  email text not null,
  failed_at timestamptz not null default now()
);
create index login_failures_lookup_idx on login_failures (tenant_id, email, failed_at desc);

-- Lead intake's Idempotency-Key answers, replayed for 24 hours.
create table idempotency_keys (
  tenant_id uuid not null references tenants (id) on delete cascade,
  key text not null,
  request_hash bytea not null,
  response_status integer not null,
  response_body jsonb not null,
  created_at timestamptz not null default now(),
  constraint idempotency_keys_pkey primary key (tenant_id, key)
);

-- Audit and outbox ---------------------------------------------------------------------------

-- Kept when a tenant is deleted, so tenant_id has no foreign key on purpose.
create table audit_log (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid,
  actor text not null,
  action text not null,
  detail jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index audit_log_tenant_idx on audit_log (tenant_id, created_at desc);

-- Emails are written in the same transaction as the change that sends them, and delivered
-- by the outbox worker (owner connection). Request traffic may only add rows.
create table email_outbox (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid references tenants (id) on delete set null,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  created_at timestamptz not null default now(),
  next_attempt_at timestamptz not null default now(),
  attempts integer not null default 0,
  last_error text,
  sent_at timestamptz
);
create index email_outbox_to_idx on email_outbox (to_address, created_at desc);
create index email_outbox_due_idx on email_outbox (next_attempt_at) where sent_at is null;

-- Row-level security ------------------------------------------------------------------------

alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenants_isolation on tenants for all
  using (id = current_tenant_id())
  with check (id = current_tenant_id());

do $$
declare
  t text;
begin
  foreach t in array array[
    'tenant_members', 'tenant_invites', 'pipeline_stages', 'leads', 'sessions',
    'login_failures', 'idempotency_keys', 'audit_log'
  ] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format(
      'create policy %I on %I for all using (tenant_id = current_tenant_id()) '
      'with check (tenant_id = current_tenant_id())',
      t || '_isolation', t);
  end loop;
end
$$;

-- A user is visible to a tenant only through a membership of that tenant. New users may be
-- added inside a tenant's transaction (signup, invite acceptance).
alter table users enable row level security;
alter table users force row level security;
create policy users_visible_to_members on users for select
  using (exists (
    select 1 from tenant_members m
    where m.user_id = users.id and m.tenant_id = current_tenant_id()));
create policy users_insert_in_tenant on users for insert
  with check (current_tenant_id() is not null);
create policy users_update_by_members on users for update
  using (exists (
    select 1 from tenant_members m
    where m.user_id = users.id and m.tenant_id = current_tenant_id()));

-- Platform tables: enabled but not forced, so the owner (worker, CLI) sees every row while
-- request traffic may only queue mail for its own tenant (or for no tenant).
alter table email_outbox enable row level security;
create policy email_outbox_enqueue on email_outbox for insert
  with check (tenant_id is null or tenant_id = current_tenant_id());
alter table slug_quarantine enable row level security;

-- Narrow look-ups before a tenant is known (SECURITY.md, trap 5) ----------------------------

-- Host → tenant: only what the public splash shows anyway, plus the status.
create function resolve_tenant(p_slug text)
returns table (id uuid, slug text, name text, status text, status_reason text,
               tagline text, brand_colour text)
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select t.id, t.slug, t.name, t.status, t.status_reason, t.tagline, t.brand_colour
    from public.tenants t where t.slug = lower(p_slug)
  $$;

-- For each candidate subdomain: 'taken', 'quarantined' or 'available'. Nothing more.
create function slug_states(p_slugs text[])
returns table (slug text, state text)
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select s.slug,
      case
        when exists (select 1 from public.tenants t where t.slug = s.slug) then 'taken'
        when exists (select 1 from public.slug_quarantine q
                     where q.slug = s.slug and q.released_at > now()) then 'quarantined'
        else 'available'
      end
    from unnest(p_slugs) with ordinality as s(slug, n)
    order by s.n
  $$;

-- An existing account's password hash, for the two places a person proves who they are
-- before they belong to the tenant: accepting an invite and signing up with a known email.
create function user_credentials(p_email text)
returns table (id uuid, name text, password_hash text)
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select u.id, u.name, u.password_hash from public.users u where u.email = lower(p_email)
  $$;

revoke execute on function resolve_tenant(text) from public;
revoke execute on function slug_states(text[]) from public;
revoke execute on function user_credentials(text) from public;
grant execute on function resolve_tenant(text) to hcrm_app;
grant execute on function slug_states(text[]) to hcrm_app;
grant execute on function user_credentials(text) to hcrm_app;
grant execute on function current_tenant_id() to hcrm_app;
grant execute on function seed_default_pipeline_stages(uuid) to hcrm_app;

-- What request traffic may do (no TRUNCATE, no DELETE of tenants, no status changes) ---------

grant select, insert on tenants to hcrm_app;
grant update (name, tagline, brand_colour, api_key_hash, api_key_prefix, api_key_created_at,
              api_key_last_used_at, updated_at) on tenants to hcrm_app;
grant select, insert on users to hcrm_app;
grant update (name, password_hash, email_verified_at, updated_at) on users to hcrm_app;
grant select, insert, delete on tenant_members to hcrm_app;
grant update (role) on tenant_members to hcrm_app;
grant select, insert on tenant_invites to hcrm_app;
grant update (token_hash, expires_at, accepted_at, accepted_by, revoked_at) on tenant_invites to hcrm_app;
grant select, insert, update, delete on pipeline_stages, leads, sessions, login_failures,
  idempotency_keys to hcrm_app;
grant select, insert on audit_log to hcrm_app;
grant insert on email_outbox to hcrm_app;
