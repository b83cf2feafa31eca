-- HREF staff accounts. Not tenant data: no tenant_id, and no grant to hcrm_app at all.
-- The staff flows run on the owner connection, so a bug in tenant-facing code cannot
-- reach them (SECURITY.md, trap 7).

create table staff_users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text,
  created_at timestamptz not null default now(),
  constraint staff_users_email_key unique (email),
  constraint staff_users_email_lower_check check (email = lower(email))
);

-- One-time links to set a staff password (24 hours, stored hashed).
create table staff_password_tokens (
  token_hash bytea primary key,
  staff_id uuid not null references staff_users (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index staff_password_tokens_staff_idx on staff_password_tokens (staff_id);

alter table staff_users enable row level security;
alter table staff_password_tokens enable row level security;
