-- Remote providers: submission retries and fallback, a polling schedule, cost, metrics.
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS not_before timestamptz;
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS submit_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS excluded_providers text[] NOT NULL DEFAULT '{}';
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS last_error_code text;
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS last_error_message text;
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS next_poll_at timestamptz;
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS poll_count integer NOT NULL DEFAULT 0;
-- Due polls: replicas lease them with FOR UPDATE SKIP LOCKED in next_poll_at order.
CREATE INDEX IF NOT EXISTS render_jobs_poll ON render_jobs (next_poll_at)
    WHERE state IN ('submitted', 'rendering') AND next_poll_at IS NOT NULL;
-- Renders in flight per provider (the concurrency cap).
CREATE INDEX IF NOT EXISTS render_jobs_in_flight ON render_jobs (provider)
    WHERE state IN ('submitted', 'rendering');
-- Deadlines and the oldest active job.
CREATE INDEX IF NOT EXISTS render_jobs_active_deadline ON render_jobs (deadline_at)
    WHERE state NOT IN ('rendered', 'failed');
CREATE INDEX IF NOT EXISTS render_jobs_active_created ON render_jobs (created_at)
    WHERE state NOT IN ('rendered', 'failed');
-- Jobs by state for the reelforge_render_jobs gauge.
CREATE INDEX IF NOT EXISTS render_jobs_state ON render_jobs (state);
