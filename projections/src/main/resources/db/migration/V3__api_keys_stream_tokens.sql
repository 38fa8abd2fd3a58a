-- Credentials. Only hashes are stored: a key or token is shown once, when it is made.

CREATE TABLE api_keys (
    id          text        PRIMARY KEY,          -- the public part of jp_<id>_<secret>
    name        text        NOT NULL,
    secret_hash bytea       NOT NULL,             -- SHA-256 of the whole key
    scopes      text[]      NOT NULL,
    owner       text,                             -- null: acts for any owner it names
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE stream_tokens (
    id          text        PRIMARY KEY,          -- the public part of jst_<id>_<secret>
    secret_hash bytea       NOT NULL,
    owner       text        NOT NULL,
    jobs        text[]      NOT NULL,             -- empty: every job of the owner
    created_by  text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz                       -- set by the one connect it allows
);

CREATE INDEX stream_tokens_expires_at ON stream_tokens (expires_at);
