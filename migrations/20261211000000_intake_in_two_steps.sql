-- Intake admits a batch and writes its leads in two statements, each its own transaction
-- (docs/benchmarks.md, "Intake"): `intake_admit`, whose commit waits for no disk, then
-- `intake_batch`. The function that did both in one, copying the batch's arrays from one
-- to the other in PL/pgSQL, is gone: it cost a third of intake's throughput.
drop function intake_receive(text[], bytea[], boolean[], uuid[], text[], bytea[], text[],
  text[], text[], text[], text[], text[], text[], jsonb[], integer, double precision);

-- A stage's lead counter found its stage by id alone, which no index covers: every insert,
-- move or delete of leads read every workspace's stages. By (tenant, id), the primary key.
create or replace function count_stage_leads() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    if tg_op = 'INSERT' then
      update public.pipeline_stages s set lead_count = s.lead_count + d.n
        from (select tenant_id, stage_id, count(*) as n from new_rows
              group by tenant_id, stage_id) d
        where s.tenant_id = d.tenant_id and s.id = d.stage_id;
    elsif tg_op = 'DELETE' then
      update public.pipeline_stages s set lead_count = s.lead_count - d.n
        from (select tenant_id, stage_id, count(*) as n from old_rows
              group by tenant_id, stage_id) d
        where s.tenant_id = d.tenant_id and s.id = d.stage_id;
    else
      update public.pipeline_stages s set lead_count = s.lead_count + d.n
        from (select tenant_id, stage_id, sum(n) as n
              from (select tenant_id, stage_id, -1 as n from old_rows
                    union all select tenant_id, stage_id, 1 from new_rows) moved
              group by tenant_id, stage_id having sum(n) <> 0) d
        where s.tenant_id = d.tenant_id and s.id = d.stage_id;
    end if;
    return null;
  end
  $$;
