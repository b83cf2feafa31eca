-- What the second security review found (docs/security.md): invite emails limited and held
-- for workspaces awaiting approval, sign-in failures counted per client network, staff
-- accounts that can be disabled, and two-factor secrets sealed.

-- Invite emails: limited, and held until a workspace is approved ----------------------------

-- Every invite email a workspace sent (a first send or a resend), for the limits per address
-- per hour and per workspace per day. Kept two days by housekeeping.
create table invite_emails (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  email text not null,
  sent_at timestamptz not null default now(),
  constraint invite_emails_pkey primary key (tenant_id, id)
);
create index invite_emails_address_idx on invite_emails (tenant_id, email, sent_at desc);
create index invite_emails_sent_idx on invite_emails (tenant_id, sent_at desc);
alter table invite_emails enable row level security;
alter table invite_emails force row level security;
create policy invite_emails_isolation on invite_emails for all
  using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
grant select, insert on invite_emails to hcrm_app;

-- `held`: written by a workspace awaiting approval; the worker leaves it until staff approve
-- (then it is `pending`) or reject (then `dropped`, its body gone).
alter table email_outbox drop constraint email_outbox_status_check;
alter table email_outbox
  add constraint email_outbox_status_check
    check (status in ('held', 'pending', 'sent', 'failed', 'dropped'));
alter table email_outbox drop constraint email_outbox_pending_body_check;
alter table email_outbox
  add constraint email_outbox_pending_body_check
    check (status not in ('held', 'pending') or sealed_body is not null);
create index email_outbox_held_idx on email_outbox (tenant_id) where status = 'held';
-- Every email is queued with its status now (the console's ones as 'pending').
grant insert (status) on email_outbox to hcrm_console;

-- Releases a workspace's held emails: queued to send now, or dropped with their bodies. Run
-- by the console's role in the approval's or rejection's transaction.
create function release_held_emails(p_tenant uuid, p_send boolean)
returns integer
  language sql security definer
  set search_path = pg_catalog, public
  as $$
    with released as (
      update public.email_outbox
        set status = case when p_send then 'pending' else 'dropped' end,
            sealed_body = case when p_send then sealed_body end,
            next_attempt_at = now()
        where tenant_id = p_tenant and status = 'held'
        returning 1
    )
    select count(*)::integer from released
  $$;
revoke execute on function release_held_emails(uuid, boolean) from public;
grant execute on function release_held_emails(uuid, boolean) to hcrm_console;

-- Password checks per client network ---------------------------------------------------------

-- Forgets one reserved attempt (a check that succeeded), leaving the key's failures counted:
-- a client network's count is of failures, and one good password must not wipe it.
create function forget_password_attempt(p_attempt uuid)
returns void
  language sql security definer
  set search_path = pg_catalog, public
  as $$ delete from public.password_attempts where id = p_attempt $$;
revoke execute on function forget_password_attempt(uuid) from public;
grant execute on function forget_password_attempt(uuid) to hcrm_app;

-- Staff accounts ---------------------------------------------------------------------------

-- A disabled account cannot sign in; its sessions were ended when it was disabled.
alter table staff_users add column disabled_at timestamptz;

-- Two-factor secrets are sealed with the key kept outside the database (usecases::sealing).
-- The clear columns stay until the server, which holds the key, has sealed what they hold at
-- its next start (usecases::two_factor::seal_stored_secrets); then they are always null.
alter table staff_users
  add column totp_sealed_secret bytea,
  add column totp_pending_sealed bytea;
