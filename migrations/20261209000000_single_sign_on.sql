-- Single sign-on over OpenID Connect, one connection per workspace (docs/sso.md).

-- The workspace's identity provider. The client secret is sealed with the key kept outside
-- the database (SEALING_KEY), like the staff's two-factor secrets.
create table sso_connections (
  tenant_id uuid not null references tenants (id) on delete cascade,
  issuer text not null,
  client_id text not null,
  client_secret_sealed bytea not null,
  -- The addresses this connection may sign in: lower-case domains, each proven by a TXT
  -- record (sso_email_domains) before it counts.
  email_domains text[] not null default '{}',
  -- Who joins on a first sign-in: never an admin.
  default_role text not null default 'member',
  require_sso boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint sso_connections_pkey primary key (tenant_id),
  constraint sso_connections_default_role_check check (default_role = 'member')
);

-- Proof that the workspace owns an email domain: `_hcrm-challenge.<domain>` TXT
-- `hcrm-verify=<token>`, looked up like a custom domain's.
create table sso_email_domains (
  tenant_id uuid not null references tenants (id) on delete cascade,
  domain text not null,
  token text not null,
  verified_at timestamptz,
  created_at timestamptz not null default now(),
  constraint sso_email_domains_pkey primary key (tenant_id, domain),
  constraint sso_email_domains_token_check check (length(token) >= 32)
);

-- A member's account at the provider: matched by (issuer, subject) after the first
-- sign-in, never by email again. Goes with the membership.
create table sso_identities (
  tenant_id uuid not null,
  issuer text not null,
  subject text not null,
  user_id uuid not null,
  created_at timestamptz not null default now(),
  constraint sso_identities_pkey primary key (tenant_id, issuer, subject),
  constraint sso_identities_member_fkey foreign key (tenant_id, user_id)
    references tenant_members (tenant_id, user_id) on delete cascade
);
create unique index sso_identities_user_idx on sso_identities (tenant_id, user_id, issuer);

-- A sign-in under way: its state (hashed), nonce and PKCE verifier (sealed), bound to the
-- workspace and the connection as it was; single use, for 10 minutes.
create table sso_logins (
  tenant_id uuid not null references tenants (id) on delete cascade,
  state_hash bytea not null,
  nonce text not null,
  pkce_verifier_sealed bytea not null,
  issuer text not null,
  client_id text not null,
  created_at timestamptz not null default now(),
  constraint sso_logins_pkey primary key (tenant_id, state_hash)
);
create index sso_logins_created_idx on sso_logins (created_at);

alter table sso_connections enable row level security;
alter table sso_connections force row level security;
create policy sso_connections_isolation on sso_connections for all
  using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
alter table sso_email_domains enable row level security;
alter table sso_email_domains force row level security;
create policy sso_email_domains_isolation on sso_email_domains for all
  using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
alter table sso_identities enable row level security;
alter table sso_identities force row level security;
create policy sso_identities_isolation on sso_identities for all
  using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
alter table sso_logins enable row level security;
alter table sso_logins force row level security;
create policy sso_logins_isolation on sso_logins for all
  using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());

grant select, insert, update, delete on sso_connections to hcrm_app;
grant select, insert, update, delete on sso_email_domains to hcrm_app;
grant select, insert, delete on sso_identities to hcrm_app;
grant select, insert, delete on sso_logins to hcrm_app;

-- Staff see whether a workspace uses single sign-on (not its secret).
create policy sso_connections_console_read on sso_connections for select to hcrm_console
  using (true);
grant select (tenant_id, issuer, require_sso) on sso_connections to hcrm_console;
