"""The tables, described once for the code (SQLAlchemy Core, GeoAlchemy2 for geometry).

The migrations in sql/ are the DDL; tests/db/test_tables.py reflects a migrated database and
fails on any difference from `schema`. `staging` holds the temporary tables of one load or one
reconcile, created from here (`create_staging`) and filled by COPY of the columns the code names.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from geoalchemy2 import Geometry
from psycopg import Connection as PgConnection
from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    Column,
    Date,
    Identity,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, JSONB, REAL
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.schema import CreateTable
from sqlalchemy.types import TIMESTAMP

from nsai.bng import SRID

TIME = TIMESTAMP(timezone=True)
DIALECT = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
schema = MetaData()
staging = MetaData()


def _id(name: str, kind: type[Integer] = BigInteger) -> Column[Any]:
    """A key the database numbers itself (GENERATED ALWAYS AS IDENTITY)."""
    return Column(name, kind, Identity(always=True), primary_key=True)


def _key(name: str, kind: Any) -> Column[Any]:
    return Column(name, kind, primary_key=True, autoincrement=False)


def _needed(name: str, kind: Any) -> Column[Any]:
    return Column(name, kind, nullable=False)


def _texts(*names: str) -> list[Column[Any]]:
    return [Column(name, Text) for name in names]


def _numbered() -> list[Column[Any]]:
    """BS7666's secondary and primary addressable objects: numbers, suffixes and text."""
    return [
        column
        for part in ("sao", "pao")
        for column in (
            Column(f"{part}_start_number", SmallInteger),
            Column(f"{part}_start_suffix", CHAR(1)),
            Column(f"{part}_end_number", SmallInteger),
            Column(f"{part}_end_suffix", CHAR(1)),
            Column(f"{part}_text", Text),
        )
    ]


NUMBERED = tuple(c.name for c in _numbered())


def _point() -> Column[Any]:
    return Column("geom", Geometry("POINT", SRID, spatial_index=False))


KEYS = ("organisation_key", "sao_key", "pao_key", "building_key", "street_key", "locality_key",
        "town_key", "postcode_key")  # fmt: skip

# --- what is loaded ----------------------------------------------------------------------------

custodian = Table("custodian", schema, _key("custodian_code", Integer), _needed("name", Text))
source = Table(
    "source", schema,
    _id("source_id", Integer), _needed("name", Text), _needed("duplicate_free", Boolean),
    _needed("priority", Integer), Column("custodian_code", Integer),
    _needed("created_at", TIME), _needed("kind", Text),
)  # fmt: skip
load_batch = Table(
    "load_batch", schema,
    _id("batch_id"), _needed("source_id", Integer), _needed("file_name", Text),
    _needed("file_format", Text), _needed("content_sha256", Text),
    _needed("change_only", Boolean), _needed("status", Text), _needed("rows_read", BigInteger),
    _needed("rows_loaded", BigInteger), _needed("rows_quarantined", BigInteger),
    _needed("rows_skipped", BigInteger), _needed("skipped_by_type", JSONB),
    _needed("started_at", TIME), Column("finished_at", TIME), _needed("volumes", Integer),
    _needed("fingerprint", Text), _needed("record_changes", JSONB),
)  # fmt: skip
quarantine = Table(
    "quarantine", schema,
    _id("quarantine_id"), _needed("batch_id", BigInteger), _needed("line_number", BigInteger),
    _needed("raw", Text), _needed("reason", Text), _needed("file_name", Text),
)  # fmt: skip
street = Table(
    "street", schema,
    _key("source_id", Integer), _key("usrn", BigInteger), _key("language", Text),
    _needed("descriptor", Text), *_texts("locality", "town", "admin_area"),
    Column("record_type", SmallInteger), Column("state", SmallInteger),
    Column("custodian_code", Integer), _needed("batch_id", BigInteger),
    Column("geom", Geometry("LINESTRING", SRID, spatial_index=False)),
    *_texts("street_key", "locality_key", "town_key"),
)  # fmt: skip
source_record = Table(
    "source_record", schema,
    _id("record_id"), _needed("source_id", Integer), _needed("source_ref", Text),
    _needed("batch_id", BigInteger), Column("uprn", BigInteger),
    Column("parent_uprn", BigInteger), Column("usrn", BigInteger), Column("organisation", Text),
    *_numbered(), *_texts("street", "locality", "town", "postcode"),
    Column("postcode_valid", Boolean), *_texts("raw_address", "classification"),
    Column("logical_status", SmallInteger), Column("blpu_state", SmallInteger),
    Column("rpc", SmallInteger), Column("custodian_code", Integer),
    _needed("other_addresses", JSONB), _needed("attributes", JSONB), _point(),
    _needed("loaded_at", TIME), Column("removed_batch_id", BigInteger), *_texts(*KEYS),
    _needed("content_hash", Text),
)  # fmt: skip
dtf_blpu = Table(
    "dtf_blpu", schema,
    _key("source_id", Integer), _key("uprn", BigInteger), Column("logical_status", SmallInteger),
    Column("blpu_state", SmallInteger), Column("blpu_class", Text),
    Column("parent_uprn", BigInteger), Column("x", DOUBLE_PRECISION),
    Column("y", DOUBLE_PRECISION), Column("rpc", SmallInteger),
    Column("custodian_code", Integer), *_texts("organisation", "organisation_key"),
    Column("start_date", Date), Column("end_date", Date), Column("last_update_date", Date),
    _needed("batch_id", BigInteger), _needed("line_number", BigInteger),
)  # fmt: skip
dtf_lpi = Table(
    "dtf_lpi", schema,
    _key("source_id", Integer), _key("lpi_key", Text), _needed("uprn", BigInteger),
    _needed("language", Text), Column("logical_status", SmallInteger),
    Column("start_date", Date), Column("end_date", Date), *_numbered(),
    Column("usrn", BigInteger), Column("level", Text), Column("postal_address", CHAR(1)),
    Column("postcode", Text), Column("postcode_valid", Boolean), Column("post_town", Text),
    Column("official_flag", CHAR(1)),
    *_texts("post_town_key", "sao_key", "pao_key", "building_key", "postcode_key"),
    _needed("batch_id", BigInteger), _needed("line_number", BigInteger),
)  # fmt: skip

# --- what is published -------------------------------------------------------------------------

national_address = Table(
    "national_address", schema,
    _key("uprn", BigInteger), _needed("status", Text), Column("successor_uprn", BigInteger),
    Column("parent_uprn", BigInteger), Column("usrn", BigInteger), Column("organisation", Text),
    *_numbered(), *_texts("street", "locality", "town", "postcode"),
    _needed("single_line", Text), Column("classification", Text),
    Column("logical_status", SmallInteger), Column("custodian_code", Integer),
    Column("rpc", SmallInteger), _point(), _needed("source_count", Integer),
    _needed("version", Integer), _needed("created_at", TIME), _needed("updated_at", TIME),
)  # fmt: skip
address_link = Table(
    "address_link", schema,
    _key("record_id", BigInteger), _needed("uprn", BigInteger), Column("score", REAL),
    _needed("decision", Text), _needed("explanation", JSONB), _needed("linked_at", TIME),
    Column("run_id", BigInteger),
)  # fmt: skip
uprn_alias = Table(
    "uprn_alias", schema,
    _key("uprn", BigInteger), _needed("national_uprn", BigInteger), _needed("created_at", TIME),
)  # fmt: skip
national_match_key = Table(
    "national_match_key", schema,
    _key("record_id", BigInteger), _needed("uprn", BigInteger),
    *_texts("sao_text", "classification", *KEYS),
)  # fmt: skip
record_reading = Table(
    "record_reading", schema,
    _key("record_id", BigInteger), Column("organisation", Text), *_numbered(),
    *_texts("street", "locality", "town", "street_key", "town_key", "locality_key", "sao_key",
            "pao_key", "building_key", "organisation_key"),
)  # fmt: skip
known_name = Table(
    "known_name", schema,
    _key("kind", Text), _key("area", Text), _key("name", Text), Column("street", Text),
)  # fmt: skip
change_event = Table(
    "change_event", schema,
    _id("event_id"), _needed("uprn", BigInteger), _needed("kind", Text),
    Column("related_uprn", BigInteger), _needed("state", JSONB), _needed("cause", Text),
    _needed("actor", Text), _needed("occurred_at", TIME), Column("run_id", BigInteger),
    Column("operation_id", BigInteger),
)  # fmt: skip
reconcile_run = Table(
    "reconcile_run", schema,
    _id("run_id"), _needed("status", Text), _needed("started_at", TIME),
    Column("finished_at", TIME), _needed("workers", Integer), _needed("report", JSONB),
    *_texts("message", "stage"), Column("backend_pid", Integer),
    _needed("cancel_requested", Boolean), _needed("started_by", Text),
)  # fmt: skip

# --- stewards and access -----------------------------------------------------------------------

review_item = Table(
    "review_item", schema,
    _id("review_id"), _needed("record_a", BigInteger), _needed("record_b", BigInteger),
    _needed("score", REAL), _needed("explanation", JSONB), _needed("status", Text),
    Column("run_id", BigInteger), _needed("created_at", TIME), Column("decided_at", TIME),
    Column("decided_by", Text), _needed("version", Integer), _needed("pairs", JSONB),
)  # fmt: skip
match_decision = Table(
    "match_decision", schema,
    _key("record_a", BigInteger), _key("record_b", BigInteger), _needed("decision", Text),
    _needed("decided_by", Text), _needed("decided_at", TIME), Column("reason", Text),
    Column("operation_id", BigInteger),
)  # fmt: skip
steward_operation = Table(
    "steward_operation", schema,
    _key("operation_id", BigInteger), _needed("kind", Text), _needed("actor", Text),
    Column("reason", Text), _needed("params", JSONB), _needed("before", JSONB),
    _needed("after", JSONB), Column("undoes", BigInteger), _needed("created_at", TIME),
)  # fmt: skip
steward_hold = Table(
    "steward_hold", schema,
    _key("source_id", Integer), _key("source_ref", Text), _needed("uprn", BigInteger),
    _needed("operation_id", BigInteger),
)  # fmt: skip
field_override = Table(
    "field_override", schema,
    _key("uprn", BigInteger), _key("field", Text), _needed("value", JSONB),
    _needed("operation_id", BigInteger),
)  # fmt: skip
api_key = Table(
    "api_key", schema,
    _id("key_id", Integer), _needed("name", Text), _needed("prefix", Text),
    _needed("key_hash", Text), _needed("scopes", ARRAY(Text)), _needed("created_at", TIME),
    Column("revoked_at", TIME), Column("last_used_at", TIME),
)  # fmt: skip
schema_migration = Table(
    "schema_migration", schema,
    _key("version", Integer), _needed("name", Text), _needed("checksum", Text),
    _needed("applied_at", TIME),
)  # fmt: skip

# --- staging: temporary tables of one transaction, dropped at commit ---------------------------


def _where() -> list[Column[Any]]:
    """Where a staged DTF row came from, and what it does (DTF 7.3's change types)."""
    return [
        Column("change_type", CHAR(1)), Column("pro_order", BigInteger),
        Column("volume", SmallInteger), Column("file_name", Text),
        Column("line_number", BigInteger), Column("raw", Text),
    ]  # fmt: skip


def _temporary(name: str, *columns: Column[Any]) -> Table:
    return Table(name, staging, *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


stage_street = _temporary(
    "stage_street",
    Column("usrn", BigInteger), *_texts("language", "descriptor", "locality", "town",
                                        "admin_area", "street_key", "locality_key", "town_key"),
    *_where(),
)  # fmt: skip
stage_street_type = _temporary(
    "stage_street_type",
    Column("usrn", BigInteger), Column("record_type", SmallInteger),
    Column("state", SmallInteger), Column("custodian_code", Integer), *_where(),
)  # fmt: skip


def _staged(
    name: str,
    state: Table,
    dropped: tuple[str, ...] = ("source_id", "batch_id", "line_number"),
    where: int = 0,
) -> Table:
    """The staging of `state`: its columns but the `dropped` (whose, which load), nullable, then
    `_where` from its `where`th column."""
    kept = [c for c in state.columns if c.name not in dropped]
    return _temporary(name, *(Column(c.name, c.type) for c in kept), *_where()[where:])


stage_blpu = _staged("stage_blpu", dtf_blpu)
stage_lpi = _staged("stage_lpi", dtf_lpi)
# The UPRNs a change-only load may alter (filled by the DTF loader; a full load alters all).
affected = _temporary("affected", _key("uprn", BigInteger))
stage_record = _staged(
    "stage_record",
    source_record,
    ("record_id", "source_id", "batch_id", "loaded_at", "removed_batch_id"),
    where=2,  # a record has no change type or order of its own
)


def _like(name: str, kept: Table) -> Table:
    """A staging table of the columns and primary key of `kept`, which it is published into."""
    return _temporary(
        name,
        *(Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False) for c in kept.c),
    )


# A reconcile's (or a steward operation's) desired state, published by sql/match/publish.sql.
desired_address = _temporary(
    "desired_address",
    _key("uprn", BigInteger), Column("parent_uprn", BigInteger), Column("usrn", BigInteger),
    Column("organisation", Text), *_numbered(),
    *_texts("street", "locality", "town", "postcode", "single_line", "classification"),
    Column("logical_status", SmallInteger), Column("custodian_code", Integer),
    Column("rpc", SmallInteger), Column("x", DOUBLE_PRECISION), Column("y", DOUBLE_PRECISION),
    Column("source_count", Integer),
)  # fmt: skip
desired_link = _temporary(
    "desired_link",
    _key("record_id", BigInteger), Column("uprn", BigInteger), Column("score", REAL),
    Column("decision", Text), Column("explanation", JSONB),
)  # fmt: skip
desired_fate = _temporary(
    "desired_fate",
    Column("uprn", BigInteger), Column("fate", Text), Column("related_uprn", BigInteger),
)  # fmt: skip
desired_review = _temporary(
    "desired_review",
    _key("record_a", BigInteger), _key("record_b", BigInteger), Column("score", REAL),
    Column("explanation", JSONB), Column("pairs", JSONB),
)  # fmt: skip
desired_alias = _temporary(
    "desired_alias", _key("uprn", BigInteger), Column("national_uprn", BigInteger)
)
# With their keys: the readings step looks every row up in them.
desired_reading = _like("desired_reading", record_reading)
desired_known_name = _like("desired_known_name", known_name)
DESIRED = (desired_address, desired_link, desired_fate, desired_review, desired_alias,
           desired_reading, desired_known_name)  # fmt: skip
# A reconcile's blocking (sql/match/blocking.sql): the records it read again, and the pairs.
reread_key = _temporary(
    "reread_key",
    _key("record_id", BigInteger), *_texts("sao_key", "pao_key", "building_key", "street_key",
                                           "town_key"),
)  # fmt: skip
candidate_pair = _temporary(
    "candidate_pair", _key("a", BigInteger), _key("b", BigInteger), _needed("rule", Text)
)


def create_staging(conn: PgConnection[Any], *tables: Table) -> None:
    """Create staging `tables` in the connection's transaction (dropped when it commits)."""
    for table in tables:
        conn.execute(_ddl(table))


@cache
def _ddl(table: Table) -> bytes:
    return str(CreateTable(table).compile(dialect=DIALECT)).encode()


def columns(table: Table) -> tuple[str, ...]:
    """The columns of `table` a COPY fills: all but those the database numbers itself."""
    return tuple(c.name for c in table.columns if c.identity is None)
