-- Rate-limit counters are throw-away state: no WAL for them, so that the one UPSERT per request
-- commits without a WAL flush. A crash empties the table (every client starts a fresh window),
-- which is harmless; login throttles stay logged.
ALTER TABLE "rate_limit_counters" SET UNLOGGED;
