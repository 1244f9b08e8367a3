-- Stewards' work: every correction of the national record is an operation, written to the
-- audit log with who, when, why and the rows as they were before and after it, so that it can
-- be undone. What an operation decides lasts: reconcile reads it on every later run (pair
-- decisions, records held out of matching with a retired record, field values set by hand).

CREATE SEQUENCE steward_operation_seq;

CREATE TABLE steward_operation (
    operation_id  bigint PRIMARY KEY DEFAULT nextval('steward_operation_seq'),
    kind          text        NOT NULL
                  CHECK (kind IN ('accept', 'reject', 'defer', 'merge', 'split', 'retire',
                                  'edit', 'undo')),
    actor         text        NOT NULL CHECK (actor <> ''),
    reason        text,
    params        jsonb       NOT NULL DEFAULT '{}',
    before        jsonb       NOT NULL DEFAULT '{}',  -- the rows it touched, as they were
    after         jsonb       NOT NULL DEFAULT '{}',  -- the same rows, as it left them
    undoes        bigint      UNIQUE REFERENCES steward_operation,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'undo') = (undoes IS NOT NULL))
);
ALTER SEQUENCE steward_operation_seq OWNED BY steward_operation.operation_id;
CREATE INDEX steward_operation_uprns ON steward_operation USING gin ((params -> 'uprns'));

-- Which operation made a decision: undoing it removes the decision. The references to an
-- operation are checked at commit: its audit row is written last, with the rows as it left them.
ALTER TABLE match_decision ADD COLUMN operation_id bigint
    REFERENCES steward_operation DEFERRABLE INITIALLY DEFERRED;

-- Records a steward retired with their national record: kept linked to it and out of matching
-- (followed through later versions of them by source and source_ref).
CREATE TABLE steward_hold (
    source_id     integer     NOT NULL REFERENCES source,
    source_ref    text        NOT NULL,
    uprn          bigint      NOT NULL REFERENCES national_address,
    operation_id  bigint      NOT NULL
                  REFERENCES steward_operation DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (source_id, source_ref)
);

-- A field of a national record set by hand: survivorship never overrides it.
CREATE TABLE field_override (
    uprn          bigint      NOT NULL REFERENCES national_address,
    field         text        NOT NULL
                  CHECK (field IN ('organisation', 'sao_text', 'pao_text', 'street', 'locality',
                                   'town', 'postcode', 'classification', 'logical_status',
                                   'location')),
    value         jsonb       NOT NULL,
    operation_id  bigint      NOT NULL
                  REFERENCES steward_operation DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (uprn, field)
);

-- Who changed a record, and by which operation (NULL for reconcile's own changes).
ALTER TABLE change_event ADD COLUMN operation_id bigint
    REFERENCES steward_operation DEFERRABLE INITIALLY DEFERRED;

-- Jobs: watched while they run, cancellable.
ALTER TABLE reconcile_run DROP CONSTRAINT reconcile_run_status_check;
ALTER TABLE reconcile_run ADD CONSTRAINT reconcile_run_status_check
    CHECK (status IN ('running', 'done', 'failed', 'cancelled'));
ALTER TABLE reconcile_run ADD COLUMN stage text;
ALTER TABLE reconcile_run ADD COLUMN backend_pid integer;
ALTER TABLE reconcile_run ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;
ALTER TABLE reconcile_run ADD COLUMN started_by text NOT NULL DEFAULT 'cli';
