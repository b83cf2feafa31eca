-- Leads per stage, kept by statement-level triggers on `leads`, so that the board and
-- Settings → Pipeline read one number a stage instead of counting every lead
-- (docs/benchmarks.md: counting 100,000 leads took 100 ms a view). Moving all of a stage's
-- leads at once is one update of each of the two stages, not one a lead.

alter table pipeline_stages add column lead_count bigint not null default 0;
update pipeline_stages s set lead_count = (select count(*) from leads l where l.stage_id = s.id);

create function count_stage_leads() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
  as $$
  begin
    if tg_op = 'INSERT' then
      update public.pipeline_stages s set lead_count = s.lead_count + d.n
        from (select stage_id, count(*) as n from new_rows group by stage_id) d
        where s.id = d.stage_id;
    elsif tg_op = 'DELETE' then
      update public.pipeline_stages s set lead_count = s.lead_count - d.n
        from (select stage_id, count(*) as n from old_rows group by stage_id) d
        where s.id = d.stage_id;
    else
      update public.pipeline_stages s set lead_count = s.lead_count + d.n
        from (select stage_id, sum(n) as n
              from (select stage_id, -1 as n from old_rows
                    union all select stage_id, 1 from new_rows) moved
              group by stage_id having sum(n) <> 0) d
        where s.id = d.stage_id;
    end if;
    return null;
  end
  $$;
-- Postgres allows transition tables on triggers of one event each.
create trigger leads_staged_on_insert after insert on leads
  referencing new table as new_rows
  for each statement execute function count_stage_leads();
create trigger leads_staged_on_update after update on leads
  referencing old table as old_rows new table as new_rows
  for each statement execute function count_stage_leads();
create trigger leads_staged_on_delete after delete on leads
  referencing old table as old_rows
  for each statement execute function count_stage_leads();
