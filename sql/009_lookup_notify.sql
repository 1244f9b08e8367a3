-- The API keeps recent UPRN lookups in memory (api/lookup_cache.py) and forgets them when the
-- tables a lookup reads change: every statement that writes one of them notifies channel
-- `nsai_lookups` when its transaction commits (once per transaction, however many statements).
CREATE FUNCTION nsai_notify_lookups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nsai_lookups', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER national_address_notify_lookups
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON national_address
    FOR EACH STATEMENT EXECUTE FUNCTION nsai_notify_lookups();
CREATE TRIGGER uprn_alias_notify_lookups
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON uprn_alias
    FOR EACH STATEMENT EXECUTE FUNCTION nsai_notify_lookups();
CREATE TRIGGER custodian_notify_lookups
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON custodian
    FOR EACH STATEMENT EXECUTE FUNCTION nsai_notify_lookups();
