-- Loading: normalised match keys beside the raw parts of every source record, and the raw
-- DTF 7.3 state of each gazetteer source (BLPUs and LPIs), from which its source records are
-- derived. Keeping the raw state lets a change-only file update one LPI of a BLPU and derive the
-- record again, exactly as the council's own gazetteer would.

ALTER TABLE source ADD COLUMN kind text NOT NULL DEFAULT 'list'
    CHECK (kind IN ('gazetteer', 'list'));

ALTER TABLE load_batch ADD COLUMN volumes integer NOT NULL DEFAULT 1 CHECK (volumes >= 1);
-- What makes two loads the same: the content of every file read (a shapefile's .dbf and .prj
-- too), the format and the column mapping. A reload with a corrected mapping is a new load.
ALTER TABLE load_batch ADD COLUMN fingerprint text NOT NULL DEFAULT '';
-- What the load did to the source's records (new, changed, removed, unchanged).
ALTER TABLE load_batch ADD COLUMN record_changes jsonb NOT NULL DEFAULT '{}';

-- Which volume a refused row came from.
ALTER TABLE quarantine ADD COLUMN file_name text NOT NULL DEFAULT '';

-- Keys computed by nsai.address (one normaliser for loaders, matcher and API).
ALTER TABLE source_record
    ADD COLUMN organisation_key text,
    ADD COLUMN sao_key          text,
    ADD COLUMN pao_key          text,
    ADD COLUMN building_key     text,
    ADD COLUMN street_key       text,
    ADD COLUMN locality_key     text,
    ADD COLUMN town_key         text,
    ADD COLUMN postcode_key     text,
    -- md5 of the record's content: a reload that changes nothing keeps the record as it was.
    ADD COLUMN content_hash     text NOT NULL DEFAULT '';

CREATE INDEX source_record_source_current ON source_record (source_id)
    WHERE removed_batch_id IS NULL;
CREATE INDEX source_record_postcode_key ON source_record (postcode_key, pao_key);
CREATE INDEX source_record_street_key ON source_record (street_key, town_key, pao_key);

ALTER TABLE street
    ADD COLUMN street_key   text,
    ADD COLUMN locality_key text,
    ADD COLUMN town_key     text;

-- A gazetteer's BLPU (record 21), as last loaded.
CREATE TABLE dtf_blpu (
    source_id         integer  NOT NULL REFERENCES source,
    uprn              bigint   NOT NULL CHECK (uprn BETWEEN 1 AND 999999999999),
    logical_status    smallint CHECK (logical_status IN (1, 5, 6, 7, 8, 9)),
    blpu_state        smallint CHECK (blpu_state BETWEEN 1 AND 7),
    blpu_class        text,
    parent_uprn       bigint   CHECK (parent_uprn BETWEEN 1 AND 999999999999),
    x                 double precision,
    y                 double precision,
    rpc               smallint CHECK (rpc BETWEEN 1 AND 9),
    custodian_code    integer  CHECK (custodian_code BETWEEN 1 AND 9999),
    organisation      text,
    organisation_key  text,
    start_date        date,
    end_date          date,
    last_update_date  date,
    batch_id          bigint   NOT NULL REFERENCES load_batch,
    line_number       bigint   NOT NULL,
    PRIMARY KEY (source_id, uprn)
);

-- A gazetteer's LPI (record 24), as last loaded: an address of a BLPU.
CREATE TABLE dtf_lpi (
    source_id         integer  NOT NULL REFERENCES source,
    lpi_key           text     NOT NULL,
    uprn              bigint   NOT NULL,
    language          text     NOT NULL DEFAULT 'ENG',
    logical_status    smallint CHECK (logical_status IN (1, 3, 5, 6, 7, 8, 9)),
    start_date        date,
    end_date          date,
    sao_start_number  smallint CHECK (sao_start_number BETWEEN 0 AND 9999),
    sao_start_suffix  char(1),
    sao_end_number    smallint CHECK (sao_end_number BETWEEN 0 AND 9999),
    sao_end_suffix    char(1),
    sao_text          text,
    pao_start_number  smallint CHECK (pao_start_number BETWEEN 0 AND 9999),
    pao_start_suffix  char(1),
    pao_end_number    smallint CHECK (pao_end_number BETWEEN 0 AND 9999),
    pao_end_suffix    char(1),
    pao_text          text,
    usrn              bigint,
    level             text,
    postal_address    char(1),
    postcode          text,
    postcode_valid    boolean,
    post_town         text,
    official_flag     char(1),
    post_town_key     text,
    sao_key           text,
    pao_key           text,
    building_key      text,
    postcode_key      text,
    batch_id          bigint   NOT NULL REFERENCES load_batch,
    line_number       bigint   NOT NULL,
    PRIMARY KEY (source_id, lpi_key)
);
CREATE INDEX dtf_lpi_uprn ON dtf_lpi (source_id, uprn);
