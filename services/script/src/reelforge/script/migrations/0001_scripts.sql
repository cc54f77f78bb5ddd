CREATE TABLE IF NOT EXISTS scripts (
    job_id        uuid PRIMARY KEY,
    tenant_id     text NOT NULL,
    regenerate_of uuid,
    writer        text NOT NULL,
    scenes        jsonb NOT NULL,
    words         integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
