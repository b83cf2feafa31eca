-- What a security review of the first release found (docs/security.md has the why):
-- sealed email bodies, password checks counted before they happen and compared inside the
-- database, invites that can claim an unverified account, a request login per database
-- with a random password, and a sign-in hand-off bound to the browser that signed up.

-- A place only the owner can read --------------------------------------------------------

create schema hcrm_private;
revoke all on schema hcrm_private from public;

create table hcrm_private.settings (
  name text primary key,
  value text not null
);

-- The request login's password: random, drawn here (two v4 UUIDs: 244 random bits), read
-- by the owner at start-up. `hcrm_app` itself no longer logs in; each database gets its
-- own login role that is a member of it (db::pool::request_login).
insert into hcrm_private.settings (name, value)
values ('request_login_password',
        encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));

alter role hcrm_app nologin password null;

-- Email bodies sealed, then dropped once sent ----------------------------------------------

alter table email_outbox
  add column sealed_body bytea,
  add column status text not null default 'pending',
  add column failed_at timestamptz;
update email_outbox set status = 'sent' where sent_at is not null;
-- Bodies written before sealing hold working links: they go. Unsent ones are kept as
-- failed, so that staff can see what did not go out.
update email_outbox
  set status = 'failed', failed_at = now(),
      last_error = coalesce(last_error, 'not sent: written before email bodies were sealed')
  where sent_at is null;
alter table email_outbox drop column text_body, drop column html_body;
alter table email_outbox
  add constraint email_outbox_status_check check (status in ('pending', 'sent', 'failed')),
  add constraint email_outbox_pending_body_check check (status <> 'pending' or sealed_body is not null);
drop index email_outbox_due_idx;
create index email_outbox_due_idx on email_outbox (next_attempt_at) where status = 'pending';

drop function enqueue_staff_notice(text, text, text);
create function enqueue_staff_notice(p_subject text, p_sealed_body bytea)
returns integer
  language sql security definer
  set search_path = pg_catalog, public
  as $$
    with queued as (
      insert into public.email_outbox (to_address, subject, sealed_body)
      select s.email, p_subject, p_sealed_body from public.staff_users s
      returning 1
    )
    select count(*)::integer from queued
  $$;
revoke execute on function enqueue_staff_notice(text, bytea) from public;
grant execute on function enqueue_staff_notice(text, bytea) to hcrm_app;

-- Password checks: counted first, compared in the database --------------------------------

-- Replaced by the per-account counter below, which every password check goes through.
drop table login_failures;

-- One row per password check of an account (SHA-256 of its lower-cased email), reserved
-- before the password is hashed. Request traffic has no grant: only the two functions.
create table password_attempts (
  id uuid primary key default gen_random_uuid(),
  account bytea not null,
  attempted_at timestamptz not null default now(),
  checked_at timestamptz
);
create index password_attempts_account_idx on password_attempts (account, attempted_at desc);
alter table password_attempts enable row level security;

-- An attempt for `p_email`, or NULL when `p_limit` attempts were made within the window.
-- The per-account advisory lock makes the count and the insert one step for parallel
-- requests (READ COMMITTED: each statement here sees what the previous holder committed).
create function reserve_password_attempt(p_email text, p_limit integer, p_window_secs integer)
returns uuid
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  declare
    v_account bytea := sha256(convert_to(lower(p_email), 'UTF8'));
    v_id uuid;
  begin
    perform pg_advisory_xact_lock(727275, hashtext(encode(v_account, 'hex')));
    if (select count(*) from public.password_attempts a
        where a.account = v_account
          and a.attempted_at > now() - make_interval(secs => p_window_secs)) >= p_limit then
      return null;
    end if;
    insert into public.password_attempts (account) values (v_account) returning id into v_id;
    return v_id;
  end
  $$;

-- What request traffic may know of an account's password: the PHC string without its last
-- field (the hash), so it can hash a candidate with the same algorithm, parameters and salt.
create function password_setting(p_email text)
returns table (user_id uuid, setting text, email_verified boolean)
  language sql stable security definer
  set search_path = pg_catalog, public
  as $fn$
    select u.id, substring(u.password_hash from '^(.*)\$[^$]+$'), u.email_verified_at is not null
    from public.users u where u.email = lower(p_email)
  $fn$;

-- Spends a reserved attempt comparing a candidate hash with the stored one. A match
-- forgets the account's earlier attempts. An attempt can be spent once, for its account.
create function password_matches(p_attempt uuid, p_email text, p_phc text)
returns boolean
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  declare
    v_account bytea := sha256(convert_to(lower(p_email), 'UTF8'));
    v_match boolean;
  begin
    update public.password_attempts set checked_at = now()
      where id = p_attempt and account = v_account and checked_at is null;
    if not found then
      return false;
    end if;
    select exists (select 1 from public.users u
                   where u.email = lower(p_email) and u.password_hash = p_phc) into v_match;
    if v_match then
      delete from public.password_attempts where account = v_account;
    end if;
    return v_match;
  end
  $$;

drop function user_credentials(text);
revoke select on users from hcrm_app;
grant select (id, email, name, email_verified_at, created_at, updated_at) on users to hcrm_app;

-- The holder of an open invite of the current tenant takes over the invited address's
-- account if it never verified its email (docs/product.md, "Accounts"): new name and
-- password, verified, and every session and pending link of the account gone.
create function claim_invited_account(p_invite uuid, p_name text, p_password_hash text)
returns uuid
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  declare
    v_email text;
    v_user uuid;
  begin
    select i.email into v_email from public.tenant_invites i
      where i.id = p_invite and i.tenant_id = current_tenant_id()
        and i.accepted_at is null and i.revoked_at is null and i.expires_at > now();
    if v_email is null then
      return null;
    end if;
    update public.users
      set name = p_name, password_hash = p_password_hash, email_verified_at = now(),
          updated_at = now()
      where email = v_email and email_verified_at is null
      returning id into v_user;
    if v_user is null then
      return null;
    end if;
    delete from public.sessions where user_id = v_user;
    delete from public.handoff_tokens where user_id = v_user;
    delete from public.email_verifications where user_id = v_user;
    delete from public.password_attempts
      where account = sha256(convert_to(v_email, 'UTF8'));
    return v_user;
  end
  $$;

revoke execute on function reserve_password_attempt(text, integer, integer) from public;
revoke execute on function password_setting(text) from public;
revoke execute on function password_matches(uuid, text, text) from public;
revoke execute on function claim_invited_account(uuid, text, text) from public;
grant execute on function reserve_password_attempt(text, integer, integer) to hcrm_app;
grant execute on function password_setting(text) to hcrm_app;
grant execute on function password_matches(uuid, text, text) to hcrm_app;
grant execute on function claim_invited_account(uuid, text, text) to hcrm_app;

-- The sign-in hand-off, bound to the browser that signed up -------------------------------

-- Links made before the binding cannot be finished any more; they lived 60 seconds anyway.
delete from handoff_tokens;
alter table handoff_tokens
  add column browser_hash bytea not null,
  add column nonce_hash bytea,
  add column confirmed_at timestamptz;
grant update (nonce_hash) on handoff_tokens to hcrm_app;

-- Step 3 of the hand-off, on the apex (no tenant known yet): the browser that signed up
-- (its apex secret) confirms the link that the workspace host bound to its second secret.
create function confirm_handoff(p_token_hash bytea, p_browser_hash bytea, p_nonce_hash bytea)
returns boolean
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    update public.handoff_tokens set confirmed_at = now()
      where token_hash = p_token_hash and browser_hash = p_browser_hash
        and nonce_hash = p_nonce_hash and confirmed_at is null and used_at is null
        and expires_at > now();
    return found;
  end
  $$;
revoke execute on function confirm_handoff(bytea, bytea, bytea) from public;
grant execute on function confirm_handoff(bytea, bytea, bytea) to hcrm_app;
