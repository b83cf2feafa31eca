-- Lead intake at the database's speed (docs/benchmarks.md, "Intake"): each instance writes
-- the leads that arrive together in one transaction, with one call of `intake_batch`, and
-- answers each request after the commit.

-- The per-month lead counter, once per statement instead of once per lead: a batch of
-- leads is one update of its workspace's counter.
drop trigger leads_counted on leads;
drop function count_leads();
create function count_leads() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    if tg_op = 'INSERT' then
      insert into public.lead_counts as c (tenant_id, month, leads, last_lead_at)
        select tenant_id, date_trunc('month', created_at)::date, count(*), max(created_at)
        from new_rows group by 1, 2
        order by 1, 2
      on conflict (tenant_id, month) do update
        set leads = c.leads + excluded.leads,
            last_lead_at = greatest(c.last_lead_at, excluded.last_lead_at);
    else
      update public.lead_counts c set leads = c.leads - d.n
        from (select tenant_id, date_trunc('month', created_at)::date as month, count(*) as n
              from old_rows group by 1, 2) d
        where c.tenant_id = d.tenant_id and c.month = d.month;
    end if;
    return null;
  end
  $$;
create trigger leads_counted_on_insert after insert on leads
  referencing new table as new_rows
  for each statement execute function count_leads();
create trigger leads_counted_on_delete after delete on leads
  referencing old table as old_rows
  for each statement execute function count_leads();

-- Intake counts a batch's requests against its workspace's rate at once (intake_admit):
-- `taken` tells that statement how many of them fit.
alter table rate_limits add column taken integer not null default 0;

-- Lets a batch of intake requests through, or says why not: item n is a request to the
-- workspace at p_slugs[n] with the key hashing to p_key_hashes[n]. In this order, as the
-- intake API has always checked (docs/product.md, "Lead intake"):
--   no such workspace                         404 not_found
--   not its key (the current one, or the previous one while it still works)
--                                             401 invalid_api_key
--   the workspace takes no leads              403 tenant_pending / tenant_suspended
--   over the workspace's intake limit         429 rate_limited (with the wait)
--   else                                      200 ok, with the workspace and the stage its
--                                             lead goes to (counted against the limit)
-- Its own transaction, before the batch is written: it writes only the unlogged rate-limit
-- cells (and a key's last use, once a minute), so its commit waits for no disk, and the
-- next batch can be admitted while the last one is written. A definer function: the key
-- hashes and the rate cells are read here and nowhere else by request traffic.
create function intake_admit(p_slugs text[], p_key_hashes bytea[], p_limit integer,
                             p_window_secs double precision)
returns table (n integer, status integer, code text, wait double precision, tenant_id uuid,
               stage_id uuid, stage text)
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  declare
    v_slug text;
    v_tenant record;
    v_now timestamptz := clock_timestamp();
    v_step double precision := p_window_secs / greatest(p_limit, 1);
    v_events integer;
    v_allowed integer;
    v_tat timestamptz;
    v_wait double precision;
  begin
    for v_slug in select distinct s from unnest(p_slugs) s order by s loop
      select t.id, t.status, t.api_key_hash, t.old_api_key_hash, t.old_api_key_expires_at,
             t.api_key_last_used_at, first_stage.id as stage_id, first_stage.name as stage
        into v_tenant
        from public.tenants t
        left join lateral (
          select s.id, s.name from public.pipeline_stages s
          where s.tenant_id = t.id and s.stage_type = 'active'
          order by s.sort_order limit 1) first_stage on true
        where t.slug = v_slug;
      if v_tenant.id is null then
        return query select i, 404, 'not_found', 0::float8, null::uuid, null::uuid, null::text
          from generate_subscripts(p_slugs, 1) i where p_slugs[i] = v_slug;
        continue;
      end if;
      -- How many of its requests bring its key, and so count against its rate.
      select count(*) into v_events from generate_subscripts(p_slugs, 1) i
        where p_slugs[i] = v_slug
          and (p_key_hashes[i] = v_tenant.api_key_hash
               or (p_key_hashes[i] = v_tenant.old_api_key_hash
                   and v_tenant.old_api_key_expires_at > now()));
      v_allowed := 0;
      v_wait := 0;
      if v_events > 0 and v_tenant.status = 'active' then
        -- GCRA for all of them at once: from base = max(tat, now), k of them fit while
        -- base + k * step <= now + window; `taken` tells this call how many did.
        insert into public.rate_limits as r (scope, key, tat, taken)
          values ('intake', v_tenant.id::text,
                  v_now + make_interval(secs => v_step * least(v_events, p_limit)),
                  least(v_events, p_limit))
          on conflict (scope, key) do update
            set taken = least(v_events, greatest(0, floor(
                  (p_window_secs - extract(epoch from greatest(r.tat, v_now) - v_now)::float8)
                  / v_step + 1e-9)::integer)),
                tat = greatest(r.tat, v_now) + make_interval(secs => v_step * least(v_events,
                  greatest(0, floor(
                    (p_window_secs - extract(epoch from greatest(r.tat, v_now) - v_now)::float8)
                    / v_step + 1e-9)::integer)))
          returning r.taken, r.tat into v_allowed, v_tat;
        if v_allowed < v_events then
          v_wait := greatest(extract(epoch from v_tat - v_now)::float8 + v_step - p_window_secs,
                             0.001);
        end if;
      end if;
      if v_events > 0 and (v_tenant.api_key_last_used_at is null
                           or v_tenant.api_key_last_used_at < now() - interval '1 minute') then
        update public.tenants t set api_key_last_used_at = now() where t.id = v_tenant.id;
      end if;
      return query
        select a.i,
               case when not a.key_ok then 401 when v_tenant.status <> 'active' then 403
                    when a.rank <= v_allowed then 200 else 429 end,
               case when not a.key_ok then 'invalid_api_key'
                    when v_tenant.status = 'pending' then 'tenant_pending'
                    when v_tenant.status <> 'active' then 'tenant_suspended'
                    when a.rank <= v_allowed then 'ok' else 'rate_limited' end,
               case when a.key_ok and v_tenant.status = 'active' and a.rank > v_allowed
                    then v_wait else 0::float8 end,
               v_tenant.id, v_tenant.stage_id, v_tenant.stage
        from (select k.i, k.key_ok,
                     row_number() over (partition by k.key_ok order by k.i) as rank
              from (select i, coalesce(p_key_hashes[i] = v_tenant.api_key_hash
                                       or (p_key_hashes[i] = v_tenant.old_api_key_hash
                                           and v_tenant.old_api_key_expires_at > now()), false)
                             as key_ok
                    from generate_subscripts(p_slugs, 1) i where p_slugs[i] = v_slug) k) a;
    end loop;
  end
  $$;
revoke execute on function intake_admit(text[], bytea[], integer, double precision) from public;
grant execute on function intake_admit(text[], bytea[], integer, double precision) to hcrm_app;

-- Writes a batch of admitted leads (intake_admit said `ok` for each): item n is a lead for
-- the workspace p_tenants[n], to go to its stage p_stage_ids[n] (named p_stages[n]). Runs
-- as the request role: a tenant's rows are written with that tenant set, under row-level
-- security, like any request. For each lead:
--   no active stage                           422 no_active_stage
--   its Idempotency-Key is being handled      409 idempotency_in_progress
--   its Idempotency-Key was used for another body
--                                             422 idempotency_key_reused
--   its Idempotency-Key was used for this body 201 replayed (the first answer)
--   else the lead is stored with id p_ids[n]  201 created
-- Idempotency keys are claimed in (tenant, key) order, so batches of two instances never
-- wait on each other in a cycle. One audit entry per workspace per batch.
create function intake_batch(
  p_tenants uuid[], p_stage_ids uuid[], p_stages text[], p_ids uuid[], p_keys text[],
  p_request_hashes bytea[], p_first_names text[], p_last_names text[], p_emails text[],
  p_phones text[], p_companies text[], p_sources text[], p_messages text[], p_extras jsonb[])
returns table (n integer, status integer, code text, body jsonb)
  language plpgsql
  set search_path = pg_catalog, public
  as $$
  declare
    v_tenant uuid;
    v_store integer[];
    v_item record;
    v_stored public.idempotency_keys;
  begin
    for v_tenant in select distinct t from unnest(p_tenants) t order by t loop
      perform set_config('app.tenant_id', v_tenant::text, true);
      select array_agg(i order by i) into v_store
        from generate_subscripts(p_tenants, 1) i where p_tenants[i] = v_tenant;
      if p_stage_ids[v_store[1]] is null then
        return query select i, 422, 'no_active_stage', null::jsonb from unnest(v_store) i;
        continue;
      end if;

      -- Idempotency keys, in key order; an item whose key does not let it through leaves
      -- the batch.
      for v_item in
        select i, p_keys[i] as key from unnest(v_store) i
        where p_keys[i] is not null order by p_keys[i], i
      loop
        if not pg_try_advisory_xact_lock(727276, hashtext(v_tenant::text || ':' || v_item.key)) then
          return query select v_item.i, 409, 'idempotency_in_progress', null::jsonb;
          v_store := array_remove(v_store, v_item.i);
          continue;
        end if;
        delete from public.idempotency_keys k
          where k.tenant_id = v_tenant and k.key = v_item.key
            and k.created_at < now() - interval '24 hours';
        insert into public.idempotency_keys as k
            (tenant_id, key, request_hash, response_status, response_body)
          values (v_tenant, v_item.key, p_request_hashes[v_item.i], 201,
                  jsonb_build_object('id', p_ids[v_item.i], 'stage', p_stages[v_item.i]))
          on conflict do nothing;
        if found then
          continue;
        end if;
        select * into v_stored from public.idempotency_keys k
          where k.tenant_id = v_tenant and k.key = v_item.key;
        if v_stored.request_hash <> p_request_hashes[v_item.i] then
          return query select v_item.i, 422, 'idempotency_key_reused', null::jsonb;
        else
          return query
            select v_item.i, v_stored.response_status, 'replayed', v_stored.response_body;
        end if;
        v_store := array_remove(v_store, v_item.i);
      end loop;
      if cardinality(v_store) = 0 then
        continue;
      end if;

      -- The leads, their audit entry and their answers, in one statement (a data-modifying
      -- WITH runs once, whether or not the answer reads it).
      return query
        with stored as (
          insert into public.leads (id, tenant_id, stage_id, first_name, last_name, email, phone,
                                    company, source, message, extra)
            select p_ids[i], v_tenant, p_stage_ids[i], p_first_names[i], p_last_names[i],
                   p_emails[i], p_phones[i], p_companies[i], p_sources[i], p_messages[i],
                   coalesce(p_extras[i], '{}')
            from unnest(v_store) i
          returning 1
        ),
        audited as (
          insert into public.audit_log (tenant_id, actor, action, detail)
            select v_tenant, 'api', 'leads.received',
                   jsonb_build_object('count', count(*), 'stage', p_stages[v_store[1]])
            from stored
          returning 1
        )
        select i, 201, 'created', jsonb_build_object('id', p_ids[i], 'stage', p_stages[i])
        from unnest(v_store) i;
    end loop;
  end
  $$;
revoke execute on function intake_batch(uuid[], uuid[], text[], uuid[], text[], bytea[], text[],
  text[], text[], text[], text[], text[], text[], jsonb[]) from public;
grant execute on function intake_batch(uuid[], uuid[], text[], uuid[], text[], bytea[], text[],
  text[], text[], text[], text[], text[], text[], jsonb[]) to hcrm_app;

-- Receives a batch of intake requests in one call and one transaction: admits them
-- (intake_admit), then writes the leads of those that got through (intake_batch). Item n
-- asks the workspace at p_slugs[n] with the key hashing to p_key_hashes[n]; p_store[n] is
-- false for a request whose body is refused (only the admission is wanted: `admitted`).
-- The answers: intake_admit's refusals, `admitted`, and intake_batch's answers.
create function intake_receive(
  p_slugs text[], p_key_hashes bytea[], p_store boolean[], p_ids uuid[], p_keys text[],
  p_request_hashes bytea[], p_first_names text[], p_last_names text[], p_emails text[],
  p_phones text[], p_companies text[], p_sources text[], p_messages text[], p_extras jsonb[],
  p_limit integer, p_window_secs double precision)
returns table (n integer, status integer, code text, body jsonb, wait double precision)
  language plpgsql
  set search_path = pg_catalog, public
  as $$
  declare
    v_admission record;
    v_admitted integer[] := '{}';
    v_tenants uuid[];
    v_stage_ids uuid[];
    v_stages text[];
  begin
    for v_admission in
      select * from public.intake_admit(p_slugs, p_key_hashes, p_limit, p_window_secs)
    loop
      if v_admission.code = 'ok' and p_store[v_admission.n] then
        v_admitted := v_admitted || v_admission.n;
        v_tenants[v_admission.n] := v_admission.tenant_id;
        v_stage_ids[v_admission.n] := v_admission.stage_id;
        v_stages[v_admission.n] := v_admission.stage;
      else
        return query select v_admission.n, v_admission.status,
          case when v_admission.code = 'ok' then 'admitted' else v_admission.code end,
          null::jsonb, v_admission.wait;
      end if;
    end loop;
    if cardinality(v_admitted) = 0 then
      return;
    end if;
    if cardinality(v_admitted) = cardinality(p_slugs) then
      -- Every request got through (the usual case): the batch as it came.
      return query
        select b.n, b.status, b.code, b.body, 0::float8
        from public.intake_batch(v_tenants, v_stage_ids, v_stages, p_ids, p_keys,
          p_request_hashes, p_first_names, p_last_names, p_emails, p_phones, p_companies,
          p_sources, p_messages, p_extras) b;
      return;
    end if;
    return query
      select v_admitted[b.n], b.status, b.code, b.body, 0::float8
      from public.intake_batch(
        array(select v_tenants[i] from unnest(v_admitted) i),
        array(select v_stage_ids[i] from unnest(v_admitted) i),
        array(select v_stages[i] from unnest(v_admitted) i),
        array(select p_ids[i] from unnest(v_admitted) i),
        array(select p_keys[i] from unnest(v_admitted) i),
        array(select p_request_hashes[i] from unnest(v_admitted) i),
        array(select p_first_names[i] from unnest(v_admitted) i),
        array(select p_last_names[i] from unnest(v_admitted) i),
        array(select p_emails[i] from unnest(v_admitted) i),
        array(select p_phones[i] from unnest(v_admitted) i),
        array(select p_companies[i] from unnest(v_admitted) i),
        array(select p_sources[i] from unnest(v_admitted) i),
        array(select p_messages[i] from unnest(v_admitted) i),
        array(select p_extras[i] from unnest(v_admitted) i)) b;
  end
  $$;
revoke execute on function intake_receive(text[], bytea[], boolean[], uuid[], text[], bytea[],
  text[], text[], text[], text[], text[], text[], text[], jsonb[], integer, double precision)
  from public;
grant execute on function intake_receive(text[], bytea[], boolean[], uuid[], text[], bytea[],
  text[], text[], text[], text[], text[], text[], text[], jsonb[], integer, double precision)
  to hcrm_app;
