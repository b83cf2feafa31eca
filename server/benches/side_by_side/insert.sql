-- pgbench's side of the intake measure: the row a lead stores, one per transaction, into a
-- table shaped like `leads` with its indexes and defaults (server/benches/side_by_side.sh).
insert into bench_leads (id, tenant_id, stage_id, first_name, last_name, email, phone, company, source, message, extra)
values (gen_random_uuid(), '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002',
        'Bench', 'Lead', 'bench@example.com', '555 0100 99', 'Bench Co', 'pgbench', 'hello', '{}');
