-- Reconciliation: runs and their reports, the review queue of uncertain pairs, stewards'
-- decisions that every later run respects, other sources' UPRNs of a property, and the range
-- NSAI allocates UPRNs from when no source has one.

-- NSAI's own UPRNs: a reserved range at the top of the twelve digits. A number there that a
-- source already uses is skipped (a UPRN is never given to two properties).
CREATE SEQUENCE nsai_uprn START 999000000001 MINVALUE 999000000001 MAXVALUE 999999999999;

CREATE TABLE reconcile_run (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status       text        NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'done', 'failed')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    workers      integer     NOT NULL DEFAULT 1 CHECK (workers >= 1),
    report       jsonb       NOT NULL DEFAULT '{}',
    message      text
);

-- A pair the matcher was unsure of: the records stay apart until a steward decides.
CREATE TABLE review_item (
    review_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_a     bigint      NOT NULL REFERENCES source_record,
    record_b     bigint      NOT NULL REFERENCES source_record,
    score        real        NOT NULL CHECK (score BETWEEN 0 AND 1),
    explanation  jsonb       NOT NULL DEFAULT '{}',
    status       text        NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'accepted', 'rejected', 'deferred', 'closed')),
    run_id       bigint      REFERENCES reconcile_run,
    created_at   timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    decided_by   text,
    version      integer     NOT NULL DEFAULT 1,
    CHECK (record_a < record_b)
);
CREATE UNIQUE INDEX review_item_pair ON review_item (record_a, record_b)
    WHERE status IN ('open', 'deferred');

-- A steward's word on a pair: accepted pairs are one property, rejected ones never are.
CREATE TABLE match_decision (
    record_a    bigint      NOT NULL REFERENCES source_record,
    record_b    bigint      NOT NULL REFERENCES source_record,
    decision    text        NOT NULL CHECK (decision IN ('accept', 'reject')),
    decided_by  text        NOT NULL,
    decided_at  timestamptz NOT NULL DEFAULT now(),
    reason      text,
    PRIMARY KEY (record_a, record_b),
    CHECK (record_a < record_b)
);

-- Other UPRNs of a published property (a county's own, a neighbour's cross-boundary one):
-- they resolve to the national record for ever.
CREATE TABLE uprn_alias (
    uprn           bigint PRIMARY KEY CHECK (uprn BETWEEN 1 AND 999999999999),
    national_uprn  bigint      NOT NULL REFERENCES national_address,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uprn_alias_national ON uprn_alias (national_uprn);

ALTER TABLE change_event ADD COLUMN run_id bigint REFERENCES reconcile_run;
ALTER TABLE address_link ADD COLUMN run_id bigint REFERENCES reconcile_run;
