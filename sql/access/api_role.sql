-- The rights of the API's role (sql/013_api_role.sql), given when it exists (nsai/db/roles.py):
-- after every `nsai db migrate`, by `nsai db api-login` and after `nsai db restore`.

-- name: grants
GRANT USAGE ON SCHEMA public TO nsai_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nsai_api;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO nsai_api;
GRANT EXECUTE ON FUNCTION nsai_cancel_run(bigint, bigint) TO nsai_api;
