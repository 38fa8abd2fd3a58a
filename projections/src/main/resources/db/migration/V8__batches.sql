-- The batches' read model: one row per batch at the latest version projected from
-- jobpulse.batch-status, and the batch of each job on the jobs table.

CREATE TABLE batches (
    id               text             PRIMARY KEY,
    owner            text             NOT NULL,
    status           text             NOT NULL,         -- open, running, succeeded, failed, partial, canceled
    queued           integer          NOT NULL,         -- the counts of its jobs by status
    running          integer          NOT NULL,
    succeeded        integer          NOT NULL,
    failed           integer          NOT NULL,
    canceled         integer          NOT NULL,
    expired          integer          NOT NULL,
    total            integer          NOT NULL,
    done             integer          NOT NULL,
    progress         double precision NOT NULL,
    tags             text[]           NOT NULL DEFAULT '{}',
    metadata         jsonb            NOT NULL DEFAULT '{}',
    opened_at        timestamptz      NOT NULL,         -- its creation: what the list orders and filters by
    closed_at        timestamptz,
    canceled_at      timestamptz,
    first_started_at timestamptz,
    last_finished_at timestamptz,
    version          bigint           NOT NULL,
    updated_at       timestamptz      NOT NULL,
    snapshot         jsonb            NOT NULL          -- the whole BatchState, as the list answers it
);

-- GET /v1/batches: the owner's batches, newest first, keyset pages on (opened_at, id).
CREATE INDEX batches_owner_opened_idx ON batches (owner, opened_at DESC, id DESC);
-- GET /v1/batches?status=...
CREATE INDEX batches_owner_status_opened_idx ON batches (owner, status, opened_at DESC, id DESC);
-- GET /v1/batches?tag=...: tags @> ARRAY[tag]
CREATE INDEX batches_tags_idx ON batches USING gin (tags);

-- GET /v1/batches/{id}/jobs: a batch's jobs, newest first. Most jobs are in no batch and stay out of the index.
ALTER TABLE jobs ADD COLUMN batch_id text;
CREATE INDEX jobs_batch_created_idx ON jobs (batch_id, created_at DESC, id DESC) WHERE batch_id IS NOT NULL;
