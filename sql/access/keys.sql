-- API keys: what `nsai keys` and the API's access layer (api/access.py) read and write.

-- name: name_taken
SELECT revoked_at FROM api_key WHERE name = %(name)s;

-- name: create
-- A prefix already taken (1 in 4 billion per key) inserts nothing; the caller draws another.
INSERT INTO api_key (name, prefix, key_hash, scopes)
VALUES (%(name)s, %(prefix)s, %(key_hash)s, %(scopes)s)
ON CONFLICT (prefix) DO NOTHING
RETURNING created_at;

-- name: list
SELECT name, prefix, array_to_string(scopes, ',') AS scopes, created_at, last_used_at, revoked_at
FROM api_key ORDER BY name;

-- name: revoke
UPDATE api_key SET revoked_at = now() WHERE name = %(name)s AND revoked_at IS NULL
RETURNING revoked_at;

-- name: find
SELECT key_id, name, key_hash, scopes, revoked_at FROM api_key WHERE prefix = %(prefix)s;

-- name: touch
UPDATE api_key SET last_used_at = now()
WHERE key_id = %(key_id)s AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
