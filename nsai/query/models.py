"""What the read side returns (and the GeoJSON it accepts): pydantic models, shared by the API's
schemas and the CLI's --json output."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import IntEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, FiniteFloat


class Srs(IntEnum):
    """The coordinate system of points given and returned."""

    BNG = 27700
    WGS84 = 4326


class LogicalStatus(IntEnum):
    """BS7666 logical status of a national record (3, alternative, is never published)."""

    APPROVED = 1
    CANDIDATE = 5
    PROVISIONAL = 6
    REJECTED_EXTERNAL = 7
    HISTORICAL = 8
    REJECTED_INTERNAL = 9


class Location(BaseModel):
    """A point in British National Grid (metres) and in WGS84 (degrees)."""

    x: float = Field(description="Easting, EPSG:27700 (metres).")
    y: float = Field(description="Northing, EPSG:27700 (metres).")
    lon: float = Field(description="Longitude, EPSG:4326.")
    lat: float = Field(description="Latitude, EPSG:4326.")


class AddressableObject(BaseModel):
    """A BS7666 SAO or PAO: a number or range with suffixes, and/or a name."""

    start_number: int | None = None
    start_suffix: str | None = None
    end_number: int | None = None
    end_suffix: str | None = None
    text: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any], prefix: str) -> AddressableObject:
        """The object (`prefix` "sao" or "pao") of a row holding BS7666's columns by name."""
        return cls(**{name: row[f"{prefix}_{name}"] for name in cls.model_fields})


class Custodian(BaseModel):
    code: int = Field(description="Local custodian code of the responsible council.")
    name: str


class Address(BaseModel):
    """A national record in full."""

    uprn: int
    status: Literal["active", "retired"] = Field(
        description="`retired`: the property no longer exists; its UPRN is never reused."
    )
    single_line: str
    organisation: str | None
    sao: AddressableObject = Field(description="Secondary addressable object (flat, unit).")
    pao: AddressableObject = Field(description="Primary addressable object (the building).")
    street: str | None
    locality: str | None
    town: str | None
    postcode: str | None
    usrn: int | None
    parent_uprn: int | None
    classification: str | None
    logical_status: int | None = Field(description="BS7666 logical status (1 approved, ...).")
    custodian: Custodian | None
    location: Location | None
    source_count: int = Field(description="Source records linked to this national record.")
    version: int
    last_changed: datetime


class AddressSummary(BaseModel):
    """A national record in a list."""

    uprn: int
    single_line: str
    postcode: str | None
    classification: str | None
    logical_status: int | None
    custodian_code: int | None
    location: Location | None


class SearchHit(AddressSummary):
    score: float = Field(ge=0, le=1, description="How well the address answers the query.")
    match: str = Field(description="Which words of the query the address holds.")


class NearbyAddress(AddressSummary):
    distance_m: float


class AddressPage(BaseModel):
    data: list[AddressSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class PostcodePage(BaseModel):
    postcode: str = Field(description="The postcode, sector or district as understood.")
    scope: Literal["unit", "sector", "district"]
    total: int
    offset: int
    limit: int
    data: list[AddressSummary]


class SearchPage(BaseModel):
    query: str = Field(description="The query as compared (upper case, punctuation dropped).")
    data: list[SearchHit]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class NearestPage(BaseModel):
    data: list[NearbyAddress]


class Suggestion(BaseModel):
    uprn: int
    single_line: str
    postcode: str | None


class Suggestions(BaseModel):
    data: list[Suggestion]


class ChangeEvent(BaseModel):
    event_id: int
    uprn: int
    kind: Literal["created", "updated", "merged", "split", "retired"]
    related_uprn: int | None = Field(
        description="The successor (merged) or the new record (split)."
    )
    occurred_at: datetime
    state: dict[str, Any] = Field(description="The record's new state (created, updated).")


class ChangePage(BaseModel):
    data: list[ChangeEvent]
    next: str = Field(description="Pass as `since` for the events after these (poll with it).")
    has_more: bool


class CustodianCount(Custodian):
    address_count: int = Field(
        description="Active national records the council is responsible for."
    )


class Custodians(BaseModel):
    data: list[CustodianCount]


# GeoJSON geometries accepted by POST /v1/addresses/within (RFC 7946, coordinates in `srs`).
Position = Annotated[list[FiniteFloat], Field(min_length=2, max_length=3)]
Ring = Annotated[list[Position], Field(min_length=4)]


class PolygonGeometry(BaseModel):
    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1)]


class MultiPolygonGeometry(BaseModel):
    type: Literal["MultiPolygon"]
    coordinates: Annotated[list[Annotated[list[Ring], Field(min_length=1)]], Field(min_length=1)]


AreaGeometry = Annotated[PolygonGeometry | MultiPolygonGeometry, Field(discriminator="type")]
