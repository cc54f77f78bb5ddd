-- The webhook service's own tables (schema "webhook").

CREATE TABLE IF NOT EXISTS tenants (
    tenant_id          text PRIMARY KEY,
    name               text NOT NULL,
    signing_generation integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    revoked_at         timestamptz
);

-- API keys, stored only as SHA-256 of the whole key (see domain/tenant_keys.py).
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash   text PRIMARY KEY,
    key_id     text NOT NULL UNIQUE,
    tenant_id  text NOT NULL REFERENCES tenants (tenant_id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Idempotency-Key of a submission: the same key returns the same job.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    tenant_id   text NOT NULL,
    key         text NOT NULL,
    fingerprint text NOT NULL,
    job_id      uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- Provider deliveries already turned into a video.status signal (dedupe by delivery id).
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    provider    text NOT NULL,
    delivery_id text NOT NULL,
    job_id      uuid,
    event_id    uuid NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, delivery_id)
);

-- The job view projection (domain/job_view.py), one row per job.
CREATE TABLE IF NOT EXISTS jobs (
    job_id       uuid PRIMARY KEY,
    tenant_id    text NOT NULL,
    state        text NOT NULL,
    video_type   text,
    callback_url text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    view         jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant_id, created_at DESC, job_id DESC);
CREATE INDEX IF NOT EXISTS jobs_by_tenant_state
    ON jobs (tenant_id, state, created_at DESC, job_id DESC);

-- Upstream callbacks (ready / failed) and every attempt to deliver them.
CREATE TABLE IF NOT EXISTS callbacks (
    message_id       uuid PRIMARY KEY,
    job_id           uuid NOT NULL,
    tenant_id        text NOT NULL,
    url              text NOT NULL,
    payload          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending',
    attempts         integer NOT NULL DEFAULT 0,
    first_attempt_at timestamptz,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks (next_attempt_at) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS callback_attempts (
    message_id  uuid NOT NULL REFERENCES callbacks (message_id),
    attempt     integer NOT NULL,
    at          timestamptz NOT NULL,
    status_code integer,
    error       text,
    duration_ms integer NOT NULL,
    PRIMARY KEY (message_id, attempt)
);
