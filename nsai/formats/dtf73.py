"""NLPG Data Transfer Format 7.3 (DTF 7.3): the record layouts, and a writer.

This module is the single definition of the DTF 7.3 layouts: the generator writes with them and
loaders read with them. A file is CSV without a header row; the first field is the record type.
Text fields are double-quoted (a quote inside is doubled); numbers, dates (YYYY-MM-DD) and times
(HH:MM:SS) are bare; an empty field is nothing between commas; coordinates carry two decimals.

RECORD_COUNT in the trailer (99) counts the data records of the volume, that is every record
*except* the header (10) and the trailer (99) themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Final, TextIO

VERSION: Final = "7.3"

HEADER: Final = 10
STREET: Final = 11
STREET_DESCRIPTOR: Final = 15
BLPU: Final = 21
LPI: Final = 24
TRAILER: Final = 99


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Each record type's fields, in the order DTF 7.3 gives them.
FIELDS: Final[dict[int, tuple[str, ...]]] = {
    HEADER: _names("""
        RECORD_IDENTIFIER CUSTODIAN_NAME LOCAL_CUSTODIAN_CODE PROCESS_DATE VOLUME_NUMBER ENTRY_DATE
        TIME_STAMP VERSION FILE_TYPE
    """),
    STREET: _names("""
        RECORD_IDENTIFIER CHANGE_TYPE PRO_ORDER USRN RECORD_TYPE SWA_ORG_REF_NAMING STATE STATE_DATE
        STREET_SURFACE STREET_CLASSIFICATION VERSION RECORD_ENTRY_DATE LAST_UPDATE_DATE
        STREET_START_DATE STREET_END_DATE STREET_START_X STREET_START_Y STREET_END_X STREET_END_Y
        STREET_TOLERANCE
    """),
    STREET_DESCRIPTOR: _names("""
        RECORD_IDENTIFIER CHANGE_TYPE PRO_ORDER USRN STREET_DESCRIPTOR LOCALITY_NAME TOWN_NAME
        ADMINISTRATIVE_AREA LANGUAGE
    """),
    BLPU: _names("""
        RECORD_IDENTIFIER CHANGE_TYPE PRO_ORDER UPRN LOGICAL_STATUS BLPU_STATE BLPU_STATE_DATE
        BLPU_CLASS PARENT_UPRN X_COORDINATE Y_COORDINATE RPC LOCAL_CUSTODIAN_CODE START_DATE
        END_DATE LAST_UPDATE_DATE ENTRY_DATE ORGANISATION WARD_CODE PARISH_CODE CUSTODIAN_ONE
        CUSTODIAN_TWO CAN_KEY
    """),
    LPI: _names("""
        RECORD_IDENTIFIER CHANGE_TYPE PRO_ORDER UPRN LPI_KEY LANGUAGE LOGICAL_STATUS START_DATE
        END_DATE ENTRY_DATE LAST_UPDATE_DATE SAO_START_NUMBER SAO_START_SUFFIX SAO_END_NUMBER
        SAO_END_SUFFIX SAO_TEXT PAO_START_NUMBER PAO_START_SUFFIX PAO_END_NUMBER PAO_END_SUFFIX
        PAO_TEXT USRN LEVEL POSTAL_ADDRESS POSTCODE POST_TOWN OFFICIAL_FLAG CUSTODIAN_ONE
        CUSTODIAN_TWO CAN_KEY
    """),
    TRAILER: _names("RECORD_IDENTIFIER NEXT_VOLUME_NUMBER RECORD_COUNT ENTRY_DATE TIME_STAMP"),
}

# Fields written quoted; every other field is a number, a date or a time and is written bare.
TEXT_FIELDS: Final = frozenset(
    _names("""
        CUSTODIAN_NAME FILE_TYPE CHANGE_TYPE STREET_DESCRIPTOR LOCALITY_NAME TOWN_NAME
        ADMINISTRATIVE_AREA LANGUAGE BLPU_CLASS ORGANISATION WARD_CODE PARISH_CODE CUSTODIAN_ONE
        CUSTODIAN_TWO CAN_KEY LPI_KEY SAO_START_SUFFIX SAO_END_SUFFIX SAO_TEXT PAO_START_SUFFIX
        PAO_END_SUFFIX PAO_TEXT LEVEL POSTAL_ADDRESS POSTCODE POST_TOWN OFFICIAL_FLAG
    """)
)


def is_text(record_type: int, field: str) -> bool:
    """Whether `field` of `record_type` is a quoted text field.

    VERSION is text in the header ("7.3") but a number in the street record (11).
    """
    if field == "VERSION":
        return record_type == HEADER
    return field in TEXT_FIELDS


_TEXT_FLAGS: Final[dict[int, tuple[bool, ...]]] = {
    record_type: tuple(is_text(record_type, field) for field in fields)
    for record_type, fields in FIELDS.items()
}

Value = str | int | float | dt.date | None


def encode(record_type: int, values: Sequence[Value]) -> str:
    """One record as a line of DTF 7.3 (without the line ending).

    Floats are coordinates and get two decimals; None and "" are empty fields.
    """
    flags = _TEXT_FLAGS[record_type]
    if len(values) != len(flags):
        raise ValueError(
            f"DTF record {record_type} has {len(flags)} fields, got {len(values)} values"
        )
    return ",".join(
        [
            ""
            if value is None or value == ""
            else '"' + str(value).replace('"', '""') + '"'
            if text
            else f"{value:.2f}"
            if isinstance(value, float)
            else str(value)
            for value, text in zip(values, flags, strict=True)
        ]
    )


class DtfWriter:
    """Writes one DTF 7.3 volume: a header, the caller's records, a trailer with their count."""

    def __init__(
        self,
        stream: TextIO,
        *,
        custodian_name: str,
        custodian_code: int,
        process_date: dt.date,
        time_stamp: dt.time,
        volume: int = 1,
        file_type: str = "F",
    ) -> None:
        self._stream = stream
        self._entry_date = process_date
        self._time_stamp = time_stamp.strftime("%H:%M:%S")
        self.counts: Counter[int] = Counter()
        self.record_count = 0  # data records written: the trailer's RECORD_COUNT
        self._line(
            HEADER,
            (
                HEADER,
                custodian_name,
                custodian_code,
                process_date,
                volume,
                process_date,
                self._time_stamp,
                VERSION,
                file_type,
            ),
        )

    def write(self, record_type: int, values: Sequence[Value]) -> None:
        """Write one data record; `values` starts with the record type, in FIELDS order."""
        if record_type in (HEADER, TRAILER):
            raise ValueError("the writer writes the header and trailer itself")
        self._line(record_type, values)
        self.counts[record_type] += 1
        self.record_count += 1

    def close(self) -> None:
        """Write the trailer (this is the last volume: NEXT_VOLUME_NUMBER 0)."""
        self._line(TRAILER, (TRAILER, 0, self.record_count, self._entry_date, self._time_stamp))

    def _line(self, record_type: int, values: Sequence[Value]) -> None:
        self._stream.write(encode(record_type, values))
        self._stream.write("\n")
