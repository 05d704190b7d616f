-- The job queue. IF NOT EXISTS: databases created before migrations were tracked already hold it.
CREATE TABLE IF NOT EXISTS jobs (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT    NOT NULL UNIQUE,
    tenant           TEXT    NOT NULL,
    idempotency_key  TEXT,
    statement        TEXT    NOT NULL,
    backend          TEXT    NOT NULL,
    payload          BLOB    NOT NULL,
    priority         INTEGER NOT NULL,
    deadline_ms      INTEGER,
    state            TEXT    NOT NULL,
    stage            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until_ms   INTEGER,
    error            TEXT,
    proof            BLOB,
    public_inputs    TEXT,
    timings          TEXT,
    created_ms       INTEGER NOT NULL,
    started_ms       INTEGER,
    finished_ms      INTEGER,
    UNIQUE (tenant, idempotency_key)
);
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (state, priority DESC, seq);
CREATE INDEX IF NOT EXISTS jobs_tenant ON jobs (tenant, seq DESC);
