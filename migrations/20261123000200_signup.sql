-- Self-service signup: the one-time sign-in hand-off from the apex to the new workspace,
-- email verification, and two narrow look-ups for request traffic.

-- Single-use, 60-second links that sign the new admin in on the workspace's own host.
create table handoff_tokens (
  token_hash bytea primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index handoff_tokens_tenant_idx on handoff_tokens (tenant_id, created_at);

-- Single-use, 24-hour links proving an email address, followed on the workspace's host.
create table email_verifications (
  token_hash bytea primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  email text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index email_verifications_tenant_user_idx on email_verifications (tenant_id, user_id);

do $$
declare
  t text;
begin
  foreach t in array array['handoff_tokens', 'email_verifications'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format(
      'create policy %I on %I for all using (tenant_id = current_tenant_id()) '
      'with check (tenant_id = current_tenant_id())',
      t || '_isolation', t);
  end loop;
end
$$;

grant select, insert on handoff_tokens, email_verifications to hcrm_app;
grant update (used_at) on handoff_tokens, email_verifications to hcrm_app;

-- Queues one email to every HREF staff member (a new signup awaits approval) without
-- letting request traffic see who the staff are. Returns how many were queued.
create function enqueue_staff_notice(p_subject text, p_text text, p_html text)
returns integer
  language sql security definer
  set search_path = pg_catalog, public
  as $$
    with queued as (
      insert into public.email_outbox (to_address, subject, text_body, html_body)
      select s.email, p_subject, p_text, p_html from public.staff_users s
      returning 1
    )
    select count(*)::integer from queued
  $$;

-- The workspaces a person belongs to: "Find your workspace" sends them by email only.
create function workspaces_for_email(p_email text)
returns table (slug text, name text)
  language sql stable security definer
  set search_path = pg_catalog, public
  as $$
    select t.slug, t.name
    from public.users u
    join public.tenant_members m on m.user_id = u.id
    join public.tenants t on t.id = m.tenant_id
    where u.email = lower(p_email) and t.status in ('pending', 'active')
    order by t.name
  $$;

revoke execute on function enqueue_staff_notice(text, text, text) from public;
revoke execute on function workspaces_for_email(text) from public;
grant execute on function enqueue_staff_notice(text, text, text) to hcrm_app;
grant execute on function workspaces_for_email(text) to hcrm_app;
