-- key_date fixes the {yyyy}/{mm} of the job's object keys when the job is first seen (the
-- request time, else the rendered event's occurred_at), so every attempt and every redelivery
-- writes to the same keys. attempts counts handler attempts of the current round, so the last
-- one can fail the job before the message is dead-lettered.
ALTER TABLE assets ADD COLUMN IF NOT EXISTS key_date timestamptz;
ALTER TABLE assets ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
UPDATE assets SET key_date = created_at WHERE key_date IS NULL;
ALTER TABLE assets ALTER COLUMN key_date SET NOT NULL;
