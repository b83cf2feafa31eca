-- Many instances, one platform (docs/scale.md): rate limits shared by every instance, and a
-- schema ready to be distributed by tenant.

-- Rate limits shared by every instance -------------------------------------------------------

-- One row per limited key: GCRA's "theoretical arrival time", the moment the key's allowance
-- is whole again, pushed forward by each event it allows. Unlogged: no WAL to write, and a
-- crash that empties it only forgives some limits early.
create unlogged table rate_limits (
  scope text not null,
  key text not null,
  tat timestamptz not null,
  constraint rate_limits_pkey primary key (scope, key)
);
create index rate_limits_tat_idx on rate_limits (tat);
-- Request traffic reaches it only through the function below.
alter table rate_limits enable row level security;

-- Counts one event for `p_key` under `p_scope`'s limit of `p_count` per `p_window_secs` (a
-- burst of `p_count`, refilling evenly over the window): 0 when it is allowed, else how many
-- seconds until it would be. The insert-or-update takes the key's row lock, so instances
-- counting at once are counted one after the other.
create function rate_limit_take(p_scope text, p_key text, p_count integer,
                                p_window_secs double precision)
returns double precision
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  declare
    v_now timestamptz := clock_timestamp();
    v_step interval := make_interval(secs => p_window_secs / greatest(p_count, 1));
    v_window interval := make_interval(secs => p_window_secs);
    v_tat timestamptz;
  begin
    insert into public.rate_limits as r (scope, key, tat)
      values (p_scope, p_key, v_now + v_step)
      on conflict (scope, key) do update
        set tat = greatest(r.tat, v_now) + v_step
        where greatest(r.tat, v_now) + v_step <= v_now + v_window;
    if found then
      return 0;
    end if;
    select r.tat into v_tat from public.rate_limits r where r.scope = p_scope and r.key = p_key;
    return greatest(extract(epoch from (v_tat + v_step - v_window - v_now)), 0.001);
  end
  $$;
revoke execute on function rate_limit_take(text, text, integer, double precision) from public;
grant execute on function rate_limit_take(text, text, integer, double precision) to hcrm_app;

-- A schema ready to distribute by tenant -------------------------------------------------------
-- Every table with a required tenant_id has it in its primary key and in every unique key,
-- and foreign keys between such tables carry it on both sides, so that each of these tables
-- can be sharded by tenant_id with every row of a tenant on one node
-- (server/db/tests/schema.rs keeps it so).

alter table tenant_invites drop constraint tenant_invites_pkey;
alter table tenant_invites add constraint tenant_invites_pkey primary key (tenant_id, id);
alter table tenant_invites drop constraint tenant_invites_token_hash_key;
alter table tenant_invites
  add constraint tenant_invites_token_hash_key unique (tenant_id, token_hash);

alter table leads drop constraint leads_stage_fkey;
alter table pipeline_stages drop constraint pipeline_stages_id_tenant_key;
alter table pipeline_stages drop constraint pipeline_stages_pkey;
alter table pipeline_stages add constraint pipeline_stages_pkey primary key (tenant_id, id);
alter table leads drop constraint leads_pkey;
alter table leads add constraint leads_pkey primary key (tenant_id, id);
alter table leads
  add constraint leads_stage_fkey foreign key (tenant_id, stage_id)
  references pipeline_stages (tenant_id, id);

alter table sessions drop constraint sessions_pkey;
alter table sessions add constraint sessions_pkey primary key (tenant_id, id_hash);

alter table email_verifications drop constraint email_verifications_pkey;
alter table email_verifications
  add constraint email_verifications_pkey primary key (tenant_id, token_hash);

alter table password_resets drop constraint password_resets_pkey;
alter table password_resets
  add constraint password_resets_pkey primary key (tenant_id, token_hash);

-- The apex confirms a hand-off by its token alone (confirm_handoff), before any tenant.
alter table handoff_tokens drop constraint handoff_tokens_pkey;
alter table handoff_tokens add constraint handoff_tokens_pkey primary key (tenant_id, token_hash);
create index handoff_tokens_token_idx on handoff_tokens (token_hash);

-- A quarantined subdomain remembers the deleted workspace it belonged to; that workspace is
-- gone, so this is the platform's table, not a tenant's.
alter table slug_quarantine rename column tenant_id to former_tenant_id;

-- Operators' metrics read the outbox's backlog at every scrape: the mail not sent yet, not
-- the history of what was.
create index email_outbox_unsent_idx on email_outbox (status, created_at) where status <> 'sent';
