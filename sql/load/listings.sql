-- What `nsai sources`, `nsai batches` and `nsai quarantine` list.

-- name: sources
SELECT s.name AS source, s.kind, s.custodian_code AS custodian,
       (SELECT count(*) FROM source_record r
        WHERE r.source_id = s.source_id AND r.removed_batch_id IS NULL) AS records,
       (SELECT count(*) FROM load_batch b
        WHERE b.source_id = s.source_id AND b.status = 'loaded') AS batches,
       (SELECT max(b.finished_at) FROM load_batch b WHERE b.source_id = s.source_id) AS last_loaded
FROM source s ORDER BY s.name;

-- name: source_exists
SELECT 1 FROM source WHERE name = %(source)s;

-- name: batches
SELECT b.batch_id AS id, s.name AS source, b.file_name AS file, b.file_format AS format,
       b.status, b.rows_read, b.rows_loaded, b.rows_quarantined, b.rows_skipped,
       b.record_changes AS records, b.started_at,
       round(extract(epoch FROM b.finished_at - b.started_at)::numeric, 1) AS seconds
FROM load_batch b JOIN source s USING (source_id)
WHERE %(source)s::text IS NULL OR s.name = %(source)s
ORDER BY b.batch_id;

-- name: batch_exists
SELECT 1 FROM load_batch WHERE batch_id = %(batch)s;

-- name: quarantine
SELECT file_name AS file, line_number AS line, reason, raw FROM quarantine
WHERE batch_id = %(batch)s ORDER BY file_name, line_number;
