-- The job queue. Integers a job can count are INTEGER (i32), times in Unix ms are BIGINT.
CREATE TABLE jobs (
    seq              BIGSERIAL PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    tenant           TEXT    NOT NULL,
    idempotency_key  TEXT,
    statement        TEXT    NOT NULL,
    backend          TEXT    NOT NULL,
    payload          BYTEA   NOT NULL,
    priority         INTEGER NOT NULL,
    deadline_ms      BIGINT,
    state            TEXT    NOT NULL,
    stage            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until_ms   BIGINT,
    error            TEXT,
    proof            BYTEA,
    public_inputs    TEXT,
    timings          TEXT,
    created_ms       BIGINT  NOT NULL,
    started_ms       BIGINT,
    finished_ms      BIGINT,
    -- One job per (tenant, key); NULL keys never collide.
    UNIQUE (tenant, idempotency_key)
);
-- The claim query's order, over queued jobs only.
CREATE INDEX jobs_queue ON jobs (priority DESC, seq) WHERE state = 'queued';
-- The lease reaper's scan.
CREATE INDEX jobs_leases ON jobs (lease_until_ms) WHERE state = 'running';
CREATE INDEX jobs_tenant ON jobs (tenant, seq DESC);
