-- Back-channel logout (docs/sso.md, "When the provider ends an account"): the provider
-- posts a signed logout token naming an account, and its sessions here end. Each token is
-- taken once: its `jti` is kept (as a hash) until the token expires, so a replay changes
-- nothing.
create table sso_logout_tokens (
  tenant_id uuid not null references tenants (id) on delete cascade,
  jti_hash bytea not null,
  expires_at timestamptz not null,
  constraint sso_logout_tokens_pkey primary key (tenant_id, jti_hash)
);

alter table sso_logout_tokens enable row level security;
alter table sso_logout_tokens force row level security;
create policy sso_logout_tokens_isolation on sso_logout_tokens for all
  using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());

grant select, insert, delete on sso_logout_tokens to hcrm_app;
