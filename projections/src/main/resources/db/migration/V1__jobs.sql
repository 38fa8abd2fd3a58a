-- The read model: one row per job (latest applied version) and one row per applied change.
CREATE TABLE jobs (
    id          text PRIMARY KEY,
    owner       text             NOT NULL,
    type        text             NOT NULL,
    status      text             NOT NULL,
    progress    double precision NOT NULL,
    tags        text[]           NOT NULL DEFAULT '{}',
    version     bigint           NOT NULL,
    created_at  timestamptz      NOT NULL,
    updated_at  timestamptz      NOT NULL,
    finished_at timestamptz,
    snapshot    jsonb            NOT NULL
);

-- Serves "the owner's jobs, newest first" with keyset pagination on (created_at, id).
CREATE INDEX jobs_owner_created_idx ON jobs (owner, created_at DESC, id DESC);

CREATE TABLE job_changes (
    job_id           text        NOT NULL,
    version          bigint      NOT NULL,
    status           text        NOT NULL,
    previous_status  text,
    at               timestamptz NOT NULL,
    cause_event_id   text        NOT NULL,
    cause_event_type text        NOT NULL,
    changed          text[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, version)
);
