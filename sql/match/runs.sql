-- The runs of the job: one at a time, each with its report.

-- name: running
SELECT run_id, started_at, started_by FROM reconcile_run WHERE status = 'running'
ORDER BY run_id DESC LIMIT 1;

-- name: fail_stale
-- Called holding the job's lock: a run still marked running was killed.
UPDATE reconcile_run SET status = 'failed', finished_at = now(),
    message = 'ended without finishing (killed?)'
WHERE status = 'running';

-- name: start
-- The backend's pid lets a cancel interrupt the statement the run is waiting on.
INSERT INTO reconcile_run (workers, started_by, backend_pid)
VALUES (%(workers)s, %(by)s, pg_backend_pid()) RETURNING run_id;

-- name: stage
UPDATE reconcile_run SET stage = %(stage)s WHERE run_id = %(run)s;

-- name: cancel_requested
SELECT cancel_requested FROM reconcile_run WHERE run_id = %(run)s;

-- name: end
UPDATE reconcile_run SET status = %(status)s, finished_at = now(), report = %(report)s,
    message = %(message)s
WHERE run_id = %(run)s;

-- name: latest_done
SELECT run_id, report->>'stamp' FROM reconcile_run WHERE status = 'done'
ORDER BY run_id DESC LIMIT 1;

-- name: vacuum
-- After publishing, outside its transaction: fresh statistics, and the trigram indexes' pending
-- lists merged, so the read side's first queries use its indexes rather than scanning.
VACUUM (ANALYZE) national_address, national_match_key, address_link;
