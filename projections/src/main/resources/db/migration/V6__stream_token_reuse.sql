-- A stream token opens one stream at a time, as often as its holder reconnects before it expires.
-- uses counts the streams it has opened; the newest one holds the token, and any older one still
-- open ends (on the instance that serves it) once it sees a higher count than its own.
ALTER TABLE stream_tokens ADD COLUMN uses integer NOT NULL DEFAULT 0;
UPDATE stream_tokens SET uses = 1 WHERE used_at IS NOT NULL;
COMMENT ON COLUMN stream_tokens.used_at IS 'when the token first opened a stream';
