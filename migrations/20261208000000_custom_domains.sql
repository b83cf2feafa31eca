-- Custom domains (docs/domains.md): a workspace at its own hostname, proven by a DNS TXT
-- record, routed once verified, and given a certificate by the edge only when we vouch.
--
-- A reference table, like `tenants`: a request's host is looked up before anyone knows its
-- workspace, and a hostname belongs to one workspace at most, so the key is the hostname
-- alone. The owning workspace is `owner_id` (not `tenant_id`, which marks the tables
-- distributed by tenant: docs/scale.md).
create table custom_domains (
  hostname text primary key,
  owner_id uuid not null references tenants (id) on delete cascade,
  -- The TXT record's token: public once published, so kept as it is. A new row (a domain
  -- added again, by anyone) gets a new one, so an old record never counts again.
  token text not null,
  state text not null default 'pending',
  is_primary boolean not null default false,
  -- Re-checks of a verified domain whose record was not there, in a row.
  failures integer not null default 0,
  -- What the last look-up found: our record, none, someone else's, or no answer.
  last_check text,
  created_at timestamptz not null default now(),
  verified_at timestamptz,
  checked_at timestamptz,
  next_check_at timestamptz,
  constraint custom_domains_state_check check (state in ('pending', 'verified', 'failed')),
  constraint custom_domains_last_check_check
    check (last_check in ('ours', 'missing', 'not_ours', 'no_answer')),
  constraint custom_domains_hostname_check check (hostname = lower(hostname)),
  constraint custom_domains_token_check check (length(token) >= 32),
  constraint custom_domains_primary_check check (not is_primary or state = 'verified')
);
create index custom_domains_owner_idx on custom_domains (owner_id);
create unique index custom_domains_one_primary on custom_domains (owner_id) where is_primary;
create index custom_domains_due_idx on custom_domains (next_check_at) where state = 'verified';

alter table custom_domains enable row level security;
alter table custom_domains force row level security;
create policy custom_domains_own on custom_domains for all
  using (owner_id = current_tenant_id())
  with check (owner_id = current_tenant_id());
grant select, insert, delete on custom_domains to hcrm_app;
grant update (state, is_primary, failures, last_check, verified_at, checked_at, next_check_at)
  on custom_domains to hcrm_app;

-- The console lists a workspace's domains.
create policy custom_domains_console_read on custom_domains for select to hcrm_console
  using (true);
grant select (hostname, owner_id, state, is_primary, created_at, verified_at, checked_at)
  on custom_domains to hcrm_console;

-- The workspace a verified custom domain serves, if its workspace is active: the host
-- look-up of every request to a name that is not ours. Nothing for anything else, so an
-- unknown, unverified or suspended name gets the unknown-host page.
create function resolve_custom_domain(p_host text)
returns table (id uuid, slug text, name text, status text, status_reason text,
               tagline text, brand_colour text)
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select t.id, t.slug, t.name, t.status, t.status_reason, t.tagline, t.brand_colour
    from public.custom_domains d
    join public.tenants t on t.id = d.owner_id
    where d.hostname = lower(p_host) and d.state = 'verified' and t.status = 'active'
  $$;

-- Whether another workspace holds `p_host` (without saying which).
create function custom_domain_taken(p_host text)
returns boolean
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select exists (select 1 from public.custom_domains where hostname = lower(p_host))
  $$;

-- The verified domain of each workspace chosen as primary: links and emails use it.
create function primary_custom_domain(p_tenant uuid)
returns text
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select d.hostname from public.custom_domains d
    where d.owner_id = p_tenant and d.is_primary and d.state = 'verified'
  $$;

revoke execute on function resolve_custom_domain(text) from public;
revoke execute on function custom_domain_taken(text) from public;
revoke execute on function primary_custom_domain(uuid) from public;
grant execute on function resolve_custom_domain(text) to hcrm_app;
grant execute on function custom_domain_taken(text) to hcrm_app;
grant execute on function primary_custom_domain(uuid) to hcrm_app, hcrm_console;
