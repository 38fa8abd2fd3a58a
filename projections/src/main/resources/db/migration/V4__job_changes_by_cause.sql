-- The raw history pages through job_events and names, for each event of a page, the version it
-- made: a lookup by (job, cause event) instead of reading the job's whole timeline.
CREATE INDEX job_changes_cause_idx ON job_changes (job_id, cause_event_id);
