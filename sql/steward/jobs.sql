-- Reconciliation jobs as stewards see them: past and running runs, and cancelling one.

-- name: runs
-- Named as the fields of nsai.steward.jobs.Job.
SELECT run_id, status, stage, started_at, finished_at, started_by, workers, report, message
FROM reconcile_run
WHERE (%(run)s::bigint IS NULL OR run_id = %(run)s::bigint)
ORDER BY run_id DESC
LIMIT %(limit)s;

-- name: latest
SELECT coalesce(max(run_id), 0) AS latest FROM reconcile_run;

-- name: probe
-- Whether a run holds the job's lock (nsai/match/job.py LOCK_KEY): taken and given back at once.
SELECT pg_try_advisory_lock(%(key)s) AND pg_advisory_unlock(%(key)s) AS free;

-- name: cancel
-- As the function says (sql/013_api_role.sql): the API's role may call it.
SELECT nsai_cancel_run(%(run)s, %(key)s);
