-- What the list filters, the timeline, the raw history and retention need.

ALTER TABLE jobs ADD COLUMN attempt integer NOT NULL DEFAULT 1;

-- GET /v1/jobs?status=...: the owner's jobs of some statuses, newest first (one index range per status).
CREATE INDEX jobs_owner_status_created_idx ON jobs (owner, status, created_at DESC, id DESC);
-- GET /v1/jobs?type=...
CREATE INDEX jobs_owner_type_created_idx ON jobs (owner, type, created_at DESC, id DESC);
-- GET /v1/jobs?tag=...: tags @> ARRAY[tag]
CREATE INDEX jobs_tags_idx ON jobs USING gin (tags);
-- GET /v1/jobs?updatedSince=...
CREATE INDEX jobs_owner_updated_idx ON jobs (owner, updated_at);
-- Retention: finished jobs by finish time.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- The timeline: what each change did, in a line.
ALTER TABLE job_changes ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE job_changes ADD COLUMN progress double precision NOT NULL DEFAULT 0;
ALTER TABLE job_changes ADD COLUMN summary text NOT NULL DEFAULT '';

-- Every event of every job as it was written to jobpulse.job-events, applied or not: the raw
-- history behind the timeline (provider payloads, signature verdicts).
CREATE TABLE job_events (
    event_id    text        PRIMARY KEY,
    job_id      text        NOT NULL,
    event_type  text        NOT NULL,
    received_at timestamptz NOT NULL,
    event       jsonb       NOT NULL
);
CREATE INDEX job_events_job_idx ON job_events (job_id, received_at, event_id);
