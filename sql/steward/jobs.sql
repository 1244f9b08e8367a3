-- Reconciliation jobs as stewards see them: past and running runs, and cancelling one.

-- name: runs
SELECT run_id, status, stage, started_at, finished_at, started_by, workers, report, message
FROM reconcile_run
WHERE (%(run)s::bigint IS NULL OR run_id = %(run)s::bigint)
ORDER BY run_id DESC
LIMIT %(limit)s;

-- name: latest
SELECT coalesce(max(run_id), 0) FROM reconcile_run;

-- name: probe
-- Whether a run holds the job's lock (nsai/match/job.py LOCK_KEY): taken and given back at once.
SELECT pg_try_advisory_lock(%(key)s) AND pg_advisory_unlock(%(key)s);

-- name: cancel
-- The run's backend is interrupted only while it still holds the job's lock: a pid is reused,
-- and a run that died left its pid to whatever session came next. (A one-bigint advisory lock
-- shows in pg_locks as classid = its high 32 bits, objid = its low ones, objsubid = 1.)
WITH asked AS (
    UPDATE reconcile_run SET cancel_requested = true
    WHERE run_id = %(run)s AND status = 'running'
    RETURNING backend_pid
)
SELECT pg_cancel_backend(a.backend_pid)
FROM asked a
WHERE EXISTS (
    SELECT FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.pid = a.backend_pid AND l.granted
      AND l.classid = (%(key)s::bigint >> 32)::oid
      AND l.objid = (%(key)s::bigint & 4294967295)::oid
      AND l.objsubid = 1
);
