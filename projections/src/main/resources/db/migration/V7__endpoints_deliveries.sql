-- Outbound webhooks. Both tables follow topics: endpoints follows jobpulse.endpoints (the
-- notifications role also writes a change here itself, after Kafka acknowledged it), deliveries
-- follows jobpulse.delivery-log. The signing secrets are in `endpoint` as they must be usable to
-- sign (a hash would not do); they are never shown but when made.

CREATE TABLE endpoints (
    id                  text        PRIMARY KEY,
    owner               text,                           -- null: every owner's jobs (registered by an administrator)
    version             bigint      NOT NULL,
    status              text        NOT NULL,           -- active, paused, deleted
    endpoint            jsonb       NOT NULL,           -- the endpoint as its latest change left it
    created_at          timestamptz NOT NULL,
    disabled_reason     text,                           -- why Jobpulse disabled it, while disabled_at_version >= version
    disabled_at_version bigint
);

CREATE INDEX endpoints_owner ON endpoints (owner, created_at) WHERE status <> 'deleted';

CREATE TABLE deliveries (
    endpoint_id      text        NOT NULL,
    id               text        NOT NULL,              -- the webhook-id
    job_id           text,                              -- null for a ping
    version          bigint      NOT NULL,
    type             text        NOT NULL,
    status           text        NOT NULL,              -- pending, retrying, delivered, failed
    attempts         integer     NOT NULL,
    response_status  integer,
    response_excerpt text,
    error            text,
    last_attempt_at  timestamptz,
    next_attempt_at  timestamptz,
    latency_ms       bigint,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,              -- the time of the report it shows; an older one never replaces it
    payload          text,                              -- the body, from the first report (later ones leave it out)
    PRIMARY KEY (endpoint_id, id)
);

CREATE INDEX deliveries_newest ON deliveries (endpoint_id, created_at DESC, id DESC);
