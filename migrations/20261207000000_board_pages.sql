-- The board pages each column by a keyset cursor, (created_at, id) newest first: the id
-- breaks ties between leads of one intake batch, which share their transaction's time.
drop index leads_board_idx;
create index leads_board_idx on leads (tenant_id, stage_id, created_at desc, id desc);
