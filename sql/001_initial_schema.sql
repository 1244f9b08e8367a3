-- NSAI's first schema: what is loaded (sources, batches, source records, quarantine, streets),
-- what is published (national addresses and the links to them), what changed, and who may ask.
-- Coordinates are British National Grid (EPSG:27700). Later migrations refine this.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A council, by its four-digit local custodian code.
CREATE TABLE custodian (
    custodian_code  integer PRIMARY KEY CHECK (custodian_code BETWEEN 1 AND 9999),
    name            text    NOT NULL CHECK (name <> '')
);

-- A supplying system (a council's LLPG, the county gazetteer, a council-tax list...).
CREATE TABLE source (
    source_id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    -- A source that lists each property once (an LLPG) may never put two records in one
    -- national address.
    duplicate_free  boolean     NOT NULL DEFAULT false,
    priority        integer     NOT NULL DEFAULT 100,
    custodian_code  integer REFERENCES custodian,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- One load of one file (or one set of volumes) into a source.
CREATE TABLE load_batch (
    batch_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id         integer     NOT NULL REFERENCES source,
    file_name         text        NOT NULL,
    file_format       text        NOT NULL
                      CHECK (file_format IN ('dtf73', 'csv', 'geojson', 'gpkg', 'shp', 'parquet')),
    content_sha256    text        NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    change_only       boolean     NOT NULL DEFAULT false,
    -- 'loading' is seen only inside the load's own transaction: a load commits whole or not.
    status            text        NOT NULL DEFAULT 'loading'
                      CHECK (status IN ('loading', 'loaded')),
    rows_read         bigint      NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_loaded       bigint      NOT NULL DEFAULT 0 CHECK (rows_loaded >= 0),
    rows_quarantined  bigint      NOT NULL DEFAULT 0 CHECK (rows_quarantined >= 0),
    rows_skipped      bigint      NOT NULL DEFAULT 0 CHECK (rows_skipped >= 0),
    skipped_by_type   jsonb       NOT NULL DEFAULT '{}',
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    -- Nothing lost: every row read is loaded, quarantined or of a skipped record type.
    CONSTRAINT load_batch_rows_balance CHECK (
        status <> 'loaded' OR rows_read = rows_loaded + rows_quarantined + rows_skipped
    )
);
CREATE INDEX load_batch_source ON load_batch (source_id, batch_id);

-- A row that could not be loaded, with where it was and why.
CREATE TABLE quarantine (
    quarantine_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id       bigint  NOT NULL REFERENCES load_batch ON DELETE CASCADE,
    line_number    bigint  NOT NULL CHECK (line_number >= 1),
    raw            text    NOT NULL,
    reason         text    NOT NULL CHECK (reason <> '')
);
CREATE INDEX quarantine_batch ON quarantine (batch_id);

-- A street as a source describes it (DTF 7.3 records 11 and 15), by USRN.
CREATE TABLE street (
    source_id        integer  NOT NULL REFERENCES source,
    usrn             bigint   NOT NULL CHECK (usrn BETWEEN 1 AND 99999999),
    language         text     NOT NULL DEFAULT 'ENG' CHECK (language IN ('ENG', 'CYM', 'GAE')),
    descriptor       text     NOT NULL,
    locality         text,
    town             text,
    admin_area       text,
    record_type      smallint CHECK (record_type IN (1, 2, 3, 4, 9)),
    state            smallint,
    custodian_code   integer,
    batch_id         bigint   NOT NULL REFERENCES load_batch,
    geom             geometry(LineString, 27700),
    PRIMARY KEY (source_id, usrn, language)
);
CREATE INDEX street_usrn ON street (usrn);

-- One record of one source, made comparable: BS7666 parts, raw text, point in EPSG:27700.
CREATE TABLE source_record (
    record_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id         integer     NOT NULL REFERENCES source,
    source_ref        text        NOT NULL CHECK (source_ref <> ''),
    batch_id          bigint      NOT NULL REFERENCES load_batch,
    uprn              bigint      CHECK (uprn BETWEEN 1 AND 999999999999),
    parent_uprn       bigint      CHECK (parent_uprn BETWEEN 1 AND 999999999999),
    usrn              bigint      CHECK (usrn BETWEEN 1 AND 99999999),
    organisation      text,
    sao_start_number  smallint    CHECK (sao_start_number BETWEEN 0 AND 9999),
    sao_start_suffix  char(1)     CHECK (sao_start_suffix ~ '^[A-Z]$'),
    sao_end_number    smallint    CHECK (sao_end_number BETWEEN 0 AND 9999),
    sao_end_suffix    char(1)     CHECK (sao_end_suffix ~ '^[A-Z]$'),
    sao_text          text,
    pao_start_number  smallint    CHECK (pao_start_number BETWEEN 0 AND 9999),
    pao_start_suffix  char(1)     CHECK (pao_start_suffix ~ '^[A-Z]$'),
    pao_end_number    smallint    CHECK (pao_end_number BETWEEN 0 AND 9999),
    pao_end_suffix    char(1)     CHECK (pao_end_suffix ~ '^[A-Z]$'),
    pao_text          text,
    street            text,
    locality          text,
    town              text,
    postcode          text,
    postcode_valid    boolean,
    raw_address       text,
    classification    text        CHECK (classification ~ '^[A-Z][A-Z0-9]{0,5}$'),
    logical_status    smallint    CHECK (logical_status IN (1, 3, 5, 6, 7, 8, 9)),
    blpu_state        smallint    CHECK (blpu_state BETWEEN 1 AND 7),
    rpc               smallint    CHECK (rpc BETWEEN 1 AND 9),
    custodian_code    integer     CHECK (custodian_code BETWEEN 1 AND 9999),
    -- A DTF record's alternative, provisional and historical LPIs, and any other attributes.
    other_addresses   jsonb       NOT NULL DEFAULT '[]',
    attributes        jsonb       NOT NULL DEFAULT '{}',
    geom              geometry(Point, 27700),
    loaded_at         timestamptz NOT NULL DEFAULT now(),
    -- Set when a later full load or a change-only delete removed the record; kept for lineage.
    removed_batch_id  bigint      REFERENCES load_batch,
    CHECK (sao_end_number IS NULL OR sao_start_number IS NOT NULL),
    CHECK (pao_end_number IS NULL OR pao_start_number IS NOT NULL)
);
CREATE UNIQUE INDEX source_record_current ON source_record (source_id, source_ref)
    WHERE removed_batch_id IS NULL;
CREATE INDEX source_record_batch ON source_record (batch_id);
CREATE INDEX source_record_postcode ON source_record (postcode);
CREATE INDEX source_record_geom ON source_record USING gist (geom);

-- One real property, keyed by a UPRN that never changes and is never reused.
CREATE TABLE national_address (
    uprn              bigint PRIMARY KEY CHECK (uprn BETWEEN 1 AND 999999999999),
    status            text        NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'merged', 'retired')),
    -- A merged-away UPRN resolves to its successor for ever.
    successor_uprn    bigint      REFERENCES national_address,
    parent_uprn       bigint      REFERENCES national_address,
    usrn              bigint,
    organisation      text,
    sao_start_number  smallint    CHECK (sao_start_number BETWEEN 0 AND 9999),
    sao_start_suffix  char(1)     CHECK (sao_start_suffix ~ '^[A-Z]$'),
    sao_end_number    smallint    CHECK (sao_end_number BETWEEN 0 AND 9999),
    sao_end_suffix    char(1)     CHECK (sao_end_suffix ~ '^[A-Z]$'),
    sao_text          text,
    pao_start_number  smallint    CHECK (pao_start_number BETWEEN 0 AND 9999),
    pao_start_suffix  char(1)     CHECK (pao_start_suffix ~ '^[A-Z]$'),
    pao_end_number    smallint    CHECK (pao_end_number BETWEEN 0 AND 9999),
    pao_end_suffix    char(1)     CHECK (pao_end_suffix ~ '^[A-Z]$'),
    pao_text          text,
    street            text,
    locality          text,
    town              text,
    postcode          text,
    single_line       text        NOT NULL,
    classification    text,
    logical_status    smallint    CHECK (logical_status IN (1, 5, 6, 7, 8, 9)),
    custodian_code    integer     REFERENCES custodian,
    rpc               smallint    CHECK (rpc BETWEEN 1 AND 9),
    geom              geometry(Point, 27700),
    source_count      integer     NOT NULL DEFAULT 0 CHECK (source_count >= 0),
    version           integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT national_address_successor CHECK (
        (status = 'merged') = (successor_uprn IS NOT NULL) AND successor_uprn IS DISTINCT FROM uprn
    )
);
CREATE INDEX national_address_postcode ON national_address (postcode);
CREATE INDEX national_address_geom ON national_address USING gist (geom);
CREATE INDEX national_address_single_line_trgm
    ON national_address USING gin (single_line gin_trgm_ops);

-- Lineage: each current source record belongs to exactly one national address.
CREATE TABLE address_link (
    record_id    bigint PRIMARY KEY REFERENCES source_record,
    uprn         bigint      NOT NULL REFERENCES national_address,
    score        real        CHECK (score BETWEEN 0 AND 1),
    decision     text        NOT NULL CHECK (decision IN ('matched', 'new', 'review', 'manual')),
    explanation  jsonb       NOT NULL DEFAULT '{}',
    linked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX address_link_uprn ON address_link (uprn);

-- Every change to a national address, in order: the change feed, the audit trail and undo read it.
CREATE TABLE change_event (
    event_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uprn          bigint      NOT NULL REFERENCES national_address,
    kind          text        NOT NULL
                  CHECK (kind IN ('created', 'updated', 'merged', 'split', 'retired')),
    related_uprn  bigint      REFERENCES national_address,
    state         jsonb       NOT NULL DEFAULT '{}',
    cause         text        NOT NULL,
    actor         text        NOT NULL DEFAULT 'nsai',
    occurred_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_event_uprn ON change_event (uprn);

-- Who may ask: keys are stored hashed; the prefix identifies a key without revealing it.
CREATE TABLE api_key (
    key_id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE CHECK (name <> ''),
    prefix        text        NOT NULL UNIQUE CHECK (length(prefix) BETWEEN 6 AND 16),
    key_hash      text        NOT NULL,
    scopes        text[]      NOT NULL
                  CHECK (scopes <@ ARRAY['read', 'match', 'steward'] AND cardinality(scopes) > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
