-- The role the API connects as (through a login role that is a member of it): it reads and
-- writes the data but cannot change the schema (no CREATE, ALTER, DROP or TRUNCATE), so a flaw
-- in the API cannot reshape the register. Migrations and `nsai` commands run as the owner.
-- Roles belong to the whole server: a migrating owner that may not create roles (a hosted
-- server) leaves it to an administrator to create nsai_api. Its grants are given after every
-- `nsai db migrate` and by `nsai db api-login` (sql/access/api_role.sql), whenever it exists.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nsai_api') THEN
        BEGIN
            CREATE ROLE nsai_api NOLOGIN;
        EXCEPTION WHEN insufficient_privilege OR duplicate_object THEN
            RAISE NOTICE 'role nsai_api not created (%): create it to serve the API with it',
                SQLERRM;
        END;
    END IF;
END
$$;

-- Cancelling a reconcile from the API: the API's role may not interrupt the owner's session
-- itself, so this function, run with its owner's rights, asks the run to stop and interrupts
-- its backend only while that backend still holds the job's lock (a pid is reused, and a run
-- that died left its pid to whatever session came next). A one-bigint advisory lock shows in
-- pg_locks as classid = its high 32 bits, objid = its low ones, objsubid = 1.
CREATE FUNCTION nsai_cancel_run(run bigint, lock_key bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH asked AS (
        UPDATE reconcile_run SET cancel_requested = true
        WHERE run_id = run AND status = 'running'
        RETURNING backend_pid
    )
    SELECT pg_cancel_backend(a.backend_pid)
    FROM asked a
    WHERE EXISTS (
        SELECT FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.pid = a.backend_pid AND l.granted
          AND l.classid = (lock_key >> 32)::oid
          AND l.objid = (lock_key & 4294967295)::oid
          AND l.objsubid = 1
    );
$$;
REVOKE ALL ON FUNCTION nsai_cancel_run(bigint, bigint) FROM PUBLIC;
