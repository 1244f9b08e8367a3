-- The runs of the job: one at a time, each with its report.

-- name: running
SELECT run_id, started_at FROM reconcile_run WHERE status = 'running'
ORDER BY run_id DESC LIMIT 1;

-- name: fail_stale
-- Called holding the job's lock: a run still marked running was killed.
UPDATE reconcile_run SET status = 'failed', finished_at = now(),
    message = 'ended without finishing (killed?)'
WHERE status = 'running';

-- name: start
INSERT INTO reconcile_run (workers) VALUES (%(workers)s) RETURNING run_id;

-- name: end
UPDATE reconcile_run SET status = %(status)s, finished_at = now(), report = %(report)s,
    message = %(message)s
WHERE run_id = %(run)s;

-- name: latest_done
SELECT run_id, report->>'stamp' FROM reconcile_run WHERE status = 'done'
ORDER BY run_id DESC LIMIT 1;
