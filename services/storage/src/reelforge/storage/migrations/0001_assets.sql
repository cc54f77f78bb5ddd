-- One asset per job. ready_event_id is fixed when the job is first seen, so every
-- video.ready of a job carries the same event_id.
CREATE TABLE IF NOT EXISTS assets (
    job_id          uuid PRIMARY KEY,
    tenant_id       text NOT NULL,
    state           text NOT NULL,
    ready_event_id  uuid NOT NULL,
    uri             text,
    size_bytes      bigint,
    sha256          text,
    error_code      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    stored_at       timestamptz
);
