-- Tenant Settings: plans and seat limits, logos, a second API key during a rotation's
-- overlap, password reset links, lead counters for the usage page, and the sign-in times
-- that the team page shows (docs/product.md, "Settings").

-- Plans ------------------------------------------------------------------------------------

alter table tenants
  add column plan text not null default 'free',
  add column max_users integer,
  add constraint tenants_plan_check check (plan in ('free', 'starter', 'professional', 'enterprise')),
  add constraint tenants_max_users_check check (max_users is null or max_users between 1 and 100000),
  -- NOT VALID: names made before these rules (up to 100 and 160 characters) stay as they
  -- are until their next change.
  add constraint tenants_name_length_check check (char_length(name) between 1 and 80) not valid,
  add constraint tenants_tagline_length_check check (char_length(tagline) <= 140) not valid;

-- Logos --------------------------------------------------------------------------------------

-- One logo per tenant, re-encoded as PNG by the server (never the uploaded bytes).
create table tenant_logos (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  png bytea not null,
  etag text not null,
  updated_at timestamptz not null default now(),
  constraint tenant_logos_size_check check (octet_length(png) <= 2097152)
);

-- API keys: the old key's overlap ---------------------------------------------------------

alter table tenants
  add column old_api_key_hash bytea,
  add column old_api_key_prefix text,
  add column old_api_key_expires_at timestamptz,
  add constraint tenants_old_api_key_check check (
    (old_api_key_hash is null) = (old_api_key_expires_at is null));

-- Password resets ------------------------------------------------------------------------

create table password_resets (
  token_hash bytea primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index password_resets_tenant_user_idx on password_resets (tenant_id, user_id);

-- Spends a reset link of the current tenant: the account gets the new password, its address
-- counts as verified (the link proved it), and every session it has, in any workspace, ends,
-- with its other reset links and its failed attempts.
create function reset_password(p_token_hash bytea, p_password_hash text)
returns uuid
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  declare
    v_user uuid;
  begin
    update public.password_resets set used_at = now()
      where token_hash = p_token_hash and tenant_id = current_tenant_id()
        and used_at is null and expires_at > now()
      returning user_id into v_user;
    if v_user is null then
      return null;
    end if;
    update public.users
      set password_hash = p_password_hash,
          email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
      where id = v_user;
    delete from public.sessions where user_id = v_user;
    update public.password_resets set used_at = now() where user_id = v_user and used_at is null;
    delete from public.password_attempts
      where account = (select sha256(convert_to(u.email, 'UTF8')) from public.users u where u.id = v_user);
    return v_user;
  end
  $$;
revoke execute on function reset_password(bytea, text) from public;
grant execute on function reset_password(bytea, text) to hcrm_app;

-- Team ---------------------------------------------------------------------------------------

alter table tenant_members add column last_signed_in_at timestamptz;
-- When an invite's current link was sent (a resend makes a new link).
alter table tenant_invites add column sent_at timestamptz not null default now();
update tenant_invites set sent_at = created_at;

-- Never zero admins: checked at commit, after whatever a transaction did to the members of
-- a workspace that still exists. The use cases take the tenant's row lock first, so that
-- two admins demoting each other cannot both pass (docs/product.md, "Team").
create function keep_an_admin() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    if exists (select 1 from public.tenants t where t.id = old.tenant_id)
       and exists (select 1 from public.tenant_members m where m.tenant_id = old.tenant_id)
       and not exists (select 1 from public.tenant_members m
                       where m.tenant_id = old.tenant_id and m.role = 'admin') then
      raise exception 'a workspace keeps at least one admin'
        using errcode = '23514', constraint = 'tenant_members_last_admin';
    end if;
    return null;
  end
  $$;
create constraint trigger tenant_members_last_admin after update or delete on tenant_members
  deferrable initially deferred
  for each row execute function keep_an_admin();

-- Lead counters: the usage page (and the console) read these, not the leads ------------------

create table lead_counts (
  tenant_id uuid not null references tenants (id) on delete cascade,
  month date not null,
  leads bigint not null default 0,
  last_lead_at timestamptz,
  constraint lead_counts_pkey primary key (tenant_id, month)
);

create function count_leads() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    if tg_op = 'INSERT' then
      insert into public.lead_counts (tenant_id, month, leads, last_lead_at)
      values (new.tenant_id, date_trunc('month', new.created_at)::date, 1, new.created_at)
      on conflict (tenant_id, month) do update
        set leads = lead_counts.leads + 1,
            last_lead_at = greatest(lead_counts.last_lead_at, excluded.last_lead_at);
      return new;
    else
      update public.lead_counts set leads = leads - 1
        where tenant_id = old.tenant_id and month = date_trunc('month', old.created_at)::date;
      return old;
    end if;
  end
  $$;
create trigger leads_counted after insert or delete on leads
  for each row execute function count_leads();
-- A tenant's deletion removes its leads by cascade: its counters go with it.

insert into lead_counts (tenant_id, month, leads, last_lead_at)
  select tenant_id, date_trunc('month', created_at)::date, count(*), max(created_at)
  from leads group by 1, 2;

-- Keyset pages of the activity log.
drop index audit_log_tenant_idx;
create index audit_log_tenant_idx on audit_log (tenant_id, created_at desc, id desc);

-- Row-level security for the new tenant tables ----------------------------------------------

do $$
declare
  t text;
begin
  foreach t in array array['tenant_logos', 'password_resets', 'lead_counts'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format(
      'create policy %I on %I for all using (tenant_id = current_tenant_id()) '
      'with check (tenant_id = current_tenant_id())',
      t || '_isolation', t);
  end loop;
end
$$;

grant select, insert, update, delete on tenant_logos to hcrm_app;
grant select, insert on password_resets to hcrm_app;
grant update (used_at) on password_resets to hcrm_app;
grant select on lead_counts to hcrm_app;
grant update (name, tagline, brand_colour, old_api_key_hash, old_api_key_prefix,
              old_api_key_expires_at) on tenants to hcrm_app;
grant update (last_signed_in_at) on tenant_members to hcrm_app;
grant update (sent_at, role) on tenant_invites to hcrm_app;
grant update (name, colour, stage_type, sort_order) on pipeline_stages to hcrm_app;
