CREATE TABLE IF NOT EXISTS render_jobs (
    job_id            uuid PRIMARY KEY,
    tenant_id         text NOT NULL,
    correlation_id    text,
    state             text NOT NULL,
    provider          text,
    provider_video_id text,
    request           jsonb NOT NULL,
    progress          integer NOT NULL DEFAULT 0,
    error_code        text,
    error_message     text,
    cost_usd          numeric(12, 4),
    attempts          integer NOT NULL DEFAULT 0,
    lease_until       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    submitted_at      timestamptz,
    rendered_at       timestamptz,
    deadline_at       timestamptz NOT NULL
);
-- The dispatcher takes the oldest queued jobs; recovery looks for expired leases.
CREATE INDEX IF NOT EXISTS render_jobs_queued ON render_jobs (created_at) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS render_jobs_leased ON render_jobs (lease_until)
    WHERE state IN ('submitted', 'rendering');
