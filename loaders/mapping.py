"""How the columns of a tabular or spatial address list map onto a source record.

Given on the command line (`--id-column ref --address-columns a1,a2 …`) or in a YAML file
(`--mapping FILE.yaml`) with the same keys without the leading dashes (`id-column: ref`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pyproj import CRS
from pyproj.exceptions import CRSError

from nsai.errors import NsaiError

STRUCTURED = ("organisation", "sao", "pao", "street", "locality", "town")


class Mapping(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=True,
    )

    id_column: str
    organisation_column: str | None = None
    sao_column: str | None = None
    pao_column: str | None = None
    street_column: str | None = None
    locality_column: str | None = None
    town_column: str | None = None
    address_columns: tuple[str, ...] = ()
    postcode_column: str | None = None
    x_column: str | None = None
    y_column: str | None = None
    lon_column: str | None = None
    lat_column: str | None = None
    crs: str | None = None
    layer: str | None = None  # of a GeoPackage holding several

    @field_validator("address_columns", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CRS.from_user_input(value)
            except CRSError:
                raise ValueError(f"unknown coordinate reference system {value!r}") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        structured = [getattr(self, f"{part}_column") for part in STRUCTURED]
        if self.address_columns and any(structured):
            raise ValueError("give either address-columns or structured columns, not both")
        if not self.address_columns and not (self.pao_column or self.street_column):
            raise ValueError(
                "the address needs address-columns, or at least pao-column or street-column"
            )
        if (self.x_column is None) != (self.y_column is None):
            raise ValueError("x-column and y-column go together")
        if (self.lon_column is None) != (self.lat_column is None):
            raise ValueError("lon-column and lat-column go together")
        if self.x_column and self.lon_column:
            raise ValueError("give x/y columns or lon/lat columns, not both")
        return self

    @property
    def columns(self) -> list[str]:
        """Every column the mapping reads, in a stable order."""
        named = [
            self.id_column,
            *(getattr(self, f"{part}_column") for part in STRUCTURED),
            *self.address_columns,
            self.postcode_column,
            self.x_column,
            self.y_column,
            self.lon_column,
            self.lat_column,
        ]
        return list(dict.fromkeys(c for c in named if c))

    @property
    def coordinate_columns(self) -> tuple[str, str] | None:
        if self.x_column and self.y_column:
            return self.x_column, self.y_column
        if self.lon_column and self.lat_column:
            return self.lon_column, self.lat_column
        return None

    def column_crs(self) -> str:
        """The CRS of coordinate columns: as given, else BNG for x/y and WGS84 for lon/lat."""
        return self.crs or ("EPSG:27700" if self.x_column else "EPSG:4326")


def build_mapping(options: dict[str, Any], mapping_file: Path | None) -> Mapping:
    """A mapping from the YAML file, overridden by options given on the command line."""
    values: dict[str, Any] = {}
    if mapping_file is not None:
        try:
            loaded = yaml.safe_load(mapping_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise NsaiError(f"{mapping_file}: not a readable YAML mapping ({exc})") from None
        if not isinstance(loaded, dict):
            raise NsaiError(f"{mapping_file}: a mapping file holds `key: value` lines")
        values.update({str(k).replace("_", "-"): v for k, v in loaded.items()})
    values.update({k.replace("_", "-"): v for k, v in options.items() if v not in (None, "", ())})
    try:
        return Mapping.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "-".join(str(p) for p in first["loc"]) or "mapping"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "missing":
            message = f"--{where} is required for this format"
        elif first["type"] == "extra_forbidden":
            message = f"unknown mapping key {where!r}"
        else:
            message = f"{where}: {message}" if first["loc"] else message
        raise NsaiError(message) from None
