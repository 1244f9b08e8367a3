-- The role the API connects as (through a login role that is a member of it): it reads and
-- writes the data but cannot change the schema (no CREATE, ALTER, DROP or TRUNCATE), so a flaw
-- in the API cannot reshape the register. Migrations and `nsai` commands run as the owner.
-- Roles belong to the whole server: a migrating owner that may not create roles (a hosted
-- server) leaves it to an administrator to create nsai_api; the grants then follow whenever it
-- exists at a later migration or `nsai db migrate`.
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
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'nsai_api') THEN
        GRANT USAGE ON SCHEMA public TO nsai_api;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nsai_api;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO nsai_api;
        -- And what later migrations of this owner create.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nsai_api;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO nsai_api;
    END IF;
END
$$;
