"""Small DTF 7.3 files written record by record, for the cases synthetic data does not make."""

from __future__ import annotations

from pathlib import Path

from nsai.formats import dtf73 as layout

BLPU_DEFAULTS = {
    "LOGICAL_STATUS": 1,
    "BLPU_STATE": 2,
    "BLPU_CLASS": "RD04",
    "X_COORDINATE": 530000.0,
    "Y_COORDINATE": 180000.0,
    "RPC": 1,
    "LOCAL_CUSTODIAN_CODE": 1505,
}
LPI_DEFAULTS = {"LANGUAGE": "ENG", "LOGICAL_STATUS": 1, "USRN": 7001, "POSTCODE": "AB1 2CD"}


class Dtf:
    """Records of one DTF volume; `write` frames them with a header and a trailer."""

    def __init__(
        self,
        file_type: str = "F",
        custodian: int = 1505,
        version: str = "7.3",
        volume: int = 1,
        next_volume: int = 0,
    ):
        self.file_type = file_type
        self.custodian = custodian
        self.version = version
        self.volume = volume
        self.next_volume = next_volume
        self.lines: list[str] = []

    def add(self, record_type: int, change: str = "I", **fields: object) -> Dtf:
        values = {
            "RECORD_IDENTIFIER": record_type,
            "CHANGE_TYPE": change,
            "PRO_ORDER": len(self.lines) + 1,
        } | fields
        names = layout.FIELDS[record_type]
        self.lines.append(layout.encode(record_type, [values.get(n) for n in names]))  # type: ignore[misc]
        return self

    def street(
        self,
        usrn: int = 7001,
        descriptor: str = "MILL LANE",
        town: str = "OLDTOWN",
        change: str = "I",
        locality: str | None = None,
    ) -> Dtf:
        self.add(
            11,
            change,
            USRN=usrn,
            RECORD_TYPE=1,
            SWA_ORG_REF_NAMING=self.custodian,
            STATE=2,
            VERSION=1,
        )
        return self.add(
            15,
            change,
            USRN=usrn,
            STREET_DESCRIPTOR=descriptor,
            LOCALITY_NAME=locality,
            TOWN_NAME=town,
            LANGUAGE="ENG",
        )

    def blpu(self, uprn: int, change: str = "I", **fields: object) -> Dtf:
        return self.add(21, change, UPRN=uprn, **(BLPU_DEFAULTS | fields))

    def lpi(self, uprn: int, key: int, change: str = "I", **fields: object) -> Dtf:
        lpi_key = f"{self.custodian}L{key:09d}"
        return self.add(24, change, UPRN=uprn, LPI_KEY=lpi_key, **(LPI_DEFAULTS | fields))

    def raw(self, line: str) -> Dtf:
        self.lines.append(line)
        return self

    def text(self, record_count: int | None = None, trailer: bool = True) -> str:
        header = layout.encode(
            10,
            [
                10,
                "OLDTOWN DISTRICT COUNCIL",
                self.custodian,
                "2026-01-01",
                self.volume,
                "2026-01-01",
                "00:00:00",
                self.version,
                self.file_type,
            ],
        )
        count = len(self.lines) if record_count is None else record_count
        tail = (
            [layout.encode(99, [99, self.next_volume, count, "2026-01-01", "00:00:00"])]
            if trailer
            else []
        )
        return "\n".join([header, *self.lines, *tail]) + "\n"

    def write(self, path: Path, record_count: int | None = None, trailer: bool = True) -> Path:
        path.write_text(self.text(record_count, trailer))
        return path
