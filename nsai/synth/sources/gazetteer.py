"""What council and county gazetteers share: a DTF 7.3 file of streets, BLPUs and LPIs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TextIO

from nsai.formats import dtf73
from nsai.synth.dates import Dates
from nsai.synth.geography import Council, County
from nsai.synth.identifiers import UprnAllocator
from nsai.synth.properties import Street
from nsai.synth.truth import TruthWriter


@dataclass(frozen=True, slots=True)
class Lpi:
    """The address parts of an LPI, as the gazetteer writes them."""

    usrn: int
    sao_text: str
    sao_number: int | None
    pao_text: str
    pao_start: int | None
    pao_suffix: str
    pao_end: int | None
    level: str
    postal: str  # POSTAL_ADDRESS: Y, or N for a parent shell
    postcode: str
    post_town: str


class GazetteerFile:
    """One DTF 7.3 volume, written record by record; keeps PRO_ORDER and LPI keys."""

    def __init__(
        self,
        stream: TextIO,
        *,
        code: int,
        custodian_name: str,
        admin_area: str,
        dates: Dates,
    ) -> None:
        self.code = code
        self.admin_area = admin_area
        self._dtf = dtf73.DtfWriter(
            stream,
            custodian_name=custodian_name,
            custodian_code=code,
            process_date=dates.process,
            time_stamp=dates.time_stamp,
        )
        self._lpi_serial = 0

    @property
    def counts(self) -> dict[str, int]:
        """Records written per record type (as strings, for JSON)."""
        return {str(kind): count for kind, count in sorted(self._dtf.counts.items())}

    def street(self, street: Street, descriptor: str, locality: str, town: str, entry: str) -> None:
        """The street (11) and its descriptor (15)."""
        dtf = self._dtf
        (sx, sy), (ex, ey) = street.start, street.end
        dtf.write(
            dtf73.STREET,
            (
                dtf73.STREET, "I", dtf.record_count + 1, street.usrn, 1, self.code, 2, entry, 1,
                8, 1, entry, entry, entry, None, sx, sy, ex, ey, 10,
            ),
        )  # fmt: skip
        dtf.write(
            dtf73.STREET_DESCRIPTOR,
            (
                dtf73.STREET_DESCRIPTOR, "I", dtf.record_count + 1, street.usrn, descriptor,
                locality, town, self.admin_area, "ENG",
            ),
        )  # fmt: skip

    def blpu(
        self,
        uprn: int,
        *,
        status: int,
        cls: str,
        parent: int | None,
        x: float,
        y: float,
        rpc: int,
        custodian: int,
        entry: str,
        updated: str,
        organisation: str,
    ) -> None:
        dtf = self._dtf
        state = 1 if status == 6 else 2  # provisional: under construction; else in use
        dtf.write(
            dtf73.BLPU,
            (
                dtf73.BLPU, "I", dtf.record_count + 1, uprn, status, state, entry, cls, parent,
                x, y, rpc, custodian, entry, None, updated, entry, organisation, None, None,
                None, None, None,
            ),
        )  # fmt: skip

    def lpi(
        self,
        uprn: int,
        lpi: Lpi,
        *,
        status: int,
        entry: str,
        updated: str,
        end: str | None = None,
    ) -> None:
        dtf = self._dtf
        self._lpi_serial += 1
        key = f"{self.code:04d}L{self._lpi_serial:09d}"
        dtf.write(
            dtf73.LPI,
            (
                dtf73.LPI, "I", dtf.record_count + 1, uprn, key, "ENG", status, entry, end,
                entry, updated, lpi.sao_number, None, None, None, lpi.sao_text, lpi.pao_start,
                lpi.pao_suffix, lpi.pao_end, None, lpi.pao_text, lpi.usrn, lpi.level,
                lpi.postal, lpi.postcode, lpi.post_town, "Y", None, None, None,
            ),
        )  # fmt: skip

    def close(self) -> None:
        self._dtf.close()


class DtfGazetteer:
    """A gazetteer of one authority, written as one DTF 7.3 file: what the council's and the
    county's share."""

    name: str
    file_name: str

    def __init__(
        self,
        stream: TextIO,
        authority: Council | County,
        *,
        dates: Dates,
        uprns: UprnAllocator,
        truth: TruthWriter,
        seed: int,
    ) -> None:
        self._file = GazetteerFile(
            stream,
            code=authority.code,
            custodian_name=authority.name.upper(),
            admin_area=authority.area_name.upper(),
            dates=dates,
        )
        self._dates = dates
        self._uprns = uprns
        self._truth = truth
        self._rng = random.Random(f"nsai-synth/{seed}/{self.name}")

    def _described(self, description: str, **more: object) -> dict[str, object]:
        """The manifest's entry for the file."""
        return {
            "name": self.name,
            "file": self.file_name,
            "format": "dtf73",
            "description": description,
            **more,
            "crs": "EPSG:27700",
            "dtf_records": self._file.counts,
        }

    def close(self) -> None:
        self._file.close()
