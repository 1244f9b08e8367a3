-- The batch of one load: its source (created on first use, locked for the load), the check
-- that the file is not the source's latest load again, and its accounting at the end.

-- name: lock_source
-- The source row is locked until the load commits: a second load into the same source is
-- refused at once (lock_not_available), loads into other sources run side by side.
INSERT INTO source (name, kind, duplicate_free, priority)
    VALUES (%(name)s, %(kind)s, %(kind)s = 'gazetteer',
            CASE WHEN %(kind)s = 'gazetteer' THEN 10 ELSE 100 END)
    ON CONFLICT (name) DO NOTHING;
SELECT source_id, kind, custodian_code FROM source WHERE name = %(name)s FOR UPDATE NOWAIT;

-- name: latest_load
SELECT batch_id, fingerprint, rows_read, rows_loaded, rows_quarantined, rows_skipped,
       skipped_by_type
FROM load_batch WHERE source_id = %(source)s AND status = 'loaded'
ORDER BY batch_id DESC LIMIT 1;

-- name: applied_before
SELECT batch_id FROM load_batch
WHERE source_id = %(source)s AND status = 'loaded' AND fingerprint = %(fingerprint)s
ORDER BY batch_id LIMIT 1;

-- name: open_batch
INSERT INTO load_batch (source_id, file_name, file_format, content_sha256, fingerprint, volumes)
VALUES (%(source)s, %(file_name)s, %(format)s, %(sha256)s, %(fingerprint)s, %(volumes)s)
RETURNING batch_id;

-- name: current_records
SELECT count(*) FROM source_record WHERE source_id = %(source)s AND removed_batch_id IS NULL;

-- name: quarantined
SELECT count(*) FROM quarantine WHERE batch_id = %(batch)s;

-- name: top_reasons
-- The commonest kinds of refusal of this batch, with the number of all: a reason with its
-- numbers and quoted values taken out is its kind ("coordinates (…, …) are outside …").
SELECT kind, n, sum(n) OVER ()
FROM (SELECT regexp_replace(reason, '[0-9][0-9.,]*|''[^'']*''', '…', 'g') AS kind, count(*) AS n
      FROM quarantine WHERE batch_id = %(batch)s GROUP BY 1) kinds
ORDER BY n DESC, kind
LIMIT 3;

-- name: finish_batch
UPDATE load_batch SET status = 'loaded', finished_at = now(), change_only = %(change_only)s,
    rows_read = %(read)s, rows_loaded = %(loaded)s, rows_quarantined = %(quarantined)s,
    rows_skipped = %(skipped)s, skipped_by_type = %(skipped_by_type)s,
    record_changes = %(records)s
WHERE batch_id = %(batch)s;

-- name: set_custodian
INSERT INTO custodian (custodian_code, name) VALUES (%(code)s, %(custodian_name)s)
    ON CONFLICT (custodian_code) DO UPDATE SET name = excluded.name;
UPDATE source SET custodian_code = %(code)s WHERE source_id = %(source)s;

-- name: set_priority
UPDATE source SET priority = %(priority)s WHERE source_id = %(source)s;
