-- Intake hands `intake_batch` the batch's arrays as they came, instead of picking out the
-- admitted items' elements into fourteen new arrays per batch (docs/benchmarks.md,
-- "Intake"): an item that is not to be written has a null workspace, and is skipped (it
-- gets no answer from this function: its answer came from admission). Otherwise as
-- before (migration 20261206000000_intake_batches).
create or replace function intake_batch(
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
    for v_tenant in select distinct t from unnest(p_tenants) t where t is not null
                    order by t loop
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
