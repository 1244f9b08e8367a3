-- Staging tables of one load: filled by COPY, read by set-based SQL, dropped at commit.

-- name: create_dtf
CREATE TEMP TABLE stage_street (
    usrn bigint, language text, descriptor text, locality text, town text, admin_area text,
    street_key text, locality_key text, town_key text,
    change_type char(1), pro_order bigint, volume smallint, file_name text, line_number bigint,
    raw text
) ON COMMIT DROP;
CREATE TEMP TABLE stage_street_type (
    usrn bigint, record_type smallint, state smallint, custodian_code integer,
    change_type char(1), pro_order bigint, volume smallint, file_name text, line_number bigint,
    raw text
) ON COMMIT DROP;
CREATE TEMP TABLE stage_blpu (
    uprn bigint, logical_status smallint, blpu_state smallint, blpu_class text,
    parent_uprn bigint, x double precision, y double precision, rpc smallint,
    custodian_code integer, organisation text, organisation_key text,
    start_date date, end_date date, last_update_date date,
    change_type char(1), pro_order bigint, volume smallint, file_name text, line_number bigint,
    raw text
) ON COMMIT DROP;
CREATE TEMP TABLE stage_lpi (
    lpi_key text, uprn bigint, language text, logical_status smallint,
    start_date date, end_date date,
    sao_start_number smallint, sao_start_suffix char(1), sao_end_number smallint,
    sao_end_suffix char(1), sao_text text,
    pao_start_number smallint, pao_start_suffix char(1), pao_end_number smallint,
    pao_end_suffix char(1), pao_text text,
    usrn bigint, level text, postal_address char(1), postcode text, postcode_valid boolean,
    post_town text, official_flag char(1),
    post_town_key text, sao_key text, pao_key text, building_key text, postcode_key text,
    change_type char(1), pro_order bigint, volume smallint, file_name text, line_number bigint,
    raw text
) ON COMMIT DROP;

-- name: create_records
-- The UPRNs a change-only load may alter (filled by the DTF loader; a full load alters all).
CREATE TEMP TABLE affected (uprn bigint PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE stage_record (
    source_ref text, uprn bigint, parent_uprn bigint, usrn bigint, organisation text,
    sao_start_number smallint, sao_start_suffix char(1), sao_end_number smallint,
    sao_end_suffix char(1), sao_text text,
    pao_start_number smallint, pao_start_suffix char(1), pao_end_number smallint,
    pao_end_suffix char(1), pao_text text,
    street text, locality text, town text, postcode text, postcode_valid boolean,
    raw_address text, classification text, logical_status smallint, blpu_state smallint,
    rpc smallint, custodian_code integer, other_addresses jsonb, attributes jsonb,
    geom geometry(Point, 27700),
    organisation_key text, sao_key text, pao_key text, building_key text, street_key text,
    locality_key text, town_key text, postcode_key text,
    content_hash text, volume smallint, file_name text, line_number bigint, raw text
) ON COMMIT DROP;
