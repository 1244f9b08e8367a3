"""Settings from NSAI_* environment variables, built on demand (never at import time)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "NSAI_"
# So many records a load may remove, or a reconcile retire, whatever share of the whole they are:
# a small list's few changes need no --allow-removal.
REMOVAL_ALWAYS_ALLOWED = 10


def _networks(value: tuple[str, ...]) -> tuple[str, ...]:
    """CIDRs, each checked (a bare address is its /32 or /128); never a wildcard, nor /0."""
    for network in value:
        try:
            parsed = ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ValueError(f"{network!r} is no CIDR (such as 10.0.0.0/8 or fd00::/8)") from None
        if parsed.prefixlen == 0:
            raise ValueError(f"{network!r} trusts every address: name the proxies' networks")
    return value


def _comma_separated(value: Any) -> Any:
    """`a, b` from an environment variable as ("a", "b"); sequences pass through."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


Probability = Annotated[float, Field(gt=0, le=1)]
Share = Annotated[float, Field(ge=0, le=1)]  # of a whole, 0 allowed
Connections = Annotated[int, Field(ge=1, le=64)]


class Settings(BaseSettings):
    """Everything NSAI can be configured with. Each field is read from NSAI_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL/PostGIS server to use. Unset: the managed local cluster in `home`.",
    )
    home: Path = Field(
        default=Path(".nsai"),
        description="Directory of the managed local cluster (relative to the working directory).",
    )
    local_port: int | None = Field(
        default=None,
        ge=1024,
        le=65535,
        description="Port of the managed cluster when it is first created (default: a free one).",
    )
    local_user: str = Field(
        default="postgres",
        description="Unprivileged user that runs the managed cluster when NSAI runs as root.",
    )
    pg_bindir: Path | None = Field(
        default=None, description="Directory of initdb/pg_ctl (default: found on the system)."
    )
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    api_database_url: str | None = Field(
        default=None,
        description="postgresql:// URL the API connects with: a role that reads and writes data "
        "but may not change the schema (nsai_api, see sql/013_api_role.sql). Default: the "
        "managed cluster's nsai_api login, else NSAI_DATABASE_URL.",
    )
    match_threshold: Probability = Field(
        # BENCHMARKS.md, "Reconciliation": the lowest threshold whose scored pairs keep
        # precision at or above 0.9999 on 100k synthetic properties.
        default=0.975,
        description="A pair scoring at least this is one property (chosen from the quality "
        "benchmark; see BENCHMARKS.md).",
    )
    match_weights: str | None = Field(
        # Read where the comparisons are declared (nsai.match.weights.in_use), at import.
        default=None,
        description="A weights file `nsai weights learn` wrote, to score pairs with in place of "
        "the hand-set bits (BENCHMARKS.md, 'Learned weights', compares the two).",
    )
    review_threshold: Probability = Field(
        default=0.5,
        description="A pair scoring at least this, and below match_threshold, goes to review.",
    )
    bulk_match_threshold: Probability = Field(
        # The accuracy table of BENCHMARKS.md, "API" (synthetic queries) and "Bulk matching on
        # real addresses": the lowest threshold with recall at 0.99 that keeps a step between it
        # and the threshold where precision falls, as synthetic queries hold fewer hard
        # negatives than real ones.
        default=0.8,
        description="Bulk matching answers a UPRN only when the chance that it is the address "
        "meant, among all candidates found, is at least this.",
    )
    console_tile_url: str | None = Field(
        default=None,
        description="XYZ tile URL for the web console's map ({z}/{x}/{y}, optional {s}); unset: "
        "points and outlines on a plain background, which works offline.",
    )
    console_tile_attribution: str | None = Field(
        default=None, description="The tile server's attribution, shown on the map."
    )
    anonymous_reads: bool = Field(
        default=False,
        description="Let requests without an API key use the read routes (never match or "
        "steward routes).",
    )
    rate_limit_per_key: int = Field(
        default=600,
        ge=0,
        description="Requests a minute each API key may make, per API worker process (0: no "
        "limit).",
    )
    rate_limit_anonymous: int = Field(
        default=60,
        ge=0,
        description="Requests a minute each client address may make without a valid key, per "
        "API worker process (0: no limit).",
    )
    api_connections: Connections = Field(
        # 4 rather than 8: on 2 cores, bench api's lookups at 32 connections were faster with
        # fewer threads contending for the interpreter lock.
        default=4,
        description="Database connections each API worker process reads on, twice over: this "
        "many for UPRN lookups on the event loop and this many for the other reads in threads "
        "(reads beyond them wait for one, in the event loop); each worker also holds one to "
        "hear of changes, and NSAI_API_WRITE_CONNECTIONS (api/database.py).",
    )
    api_write_connections: Connections = Field(
        # As many as before it was a setting (5 kept, 10 more at a time): a steward operation
        # waits for a reconcile's publish holding one, and key checks must not queue behind it.
        default=15,
        description="Database connections each API worker process holds for steward "
        "operations, API key checks and the readiness probe; more at once wait for one.",
    )
    api_lookup_cache: int = Field(
        # About 1 KB each: the default holds 50 MB per worker.
        default=50_000,
        ge=0,
        le=10_000_000,
        description="UPRN lookups each API worker process keeps in memory until the gazetteer "
        "changes (0: none kept).",
    )
    api_key_cache_seconds: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="How long the API trusts a verified key before checking it again: a revoked "
        "key is refused within this many seconds (0: checked on every request).",
    )
    max_removal: Share = Field(
        default=0.10,
        description="The largest share of a source's records a full load may remove (records "
        "absent from the file); a load that would remove more (and more than "
        "REMOVAL_ALWAYS_ALLOWED) is refused unless --allow-removal is given.",
    )
    max_retirement: Share = Field(
        default=0.10,
        description="The largest share of the active national records one reconcile may retire; "
        "a run that would retire more (and more than REMOVAL_ALWAYS_ALLOWED) publishes nothing "
        "unless --allow-removal is given.",
    )
    cors_origins: Annotated[tuple[str, ...], BeforeValidator(_comma_separated)] = Field(
        default=(),
        description="Origins browsers may call the API from, comma-separated (`*` for any); "
        "empty: no CORS headers at all.",
    )
    trusted_proxies: Annotated[
        tuple[str, ...], BeforeValidator(_comma_separated), AfterValidator(_networks)
    ] = Field(
        # A proxy on the same machine (uvicorn's own default believed 127.0.0.1 too).
        default=("127.0.0.1/32", "::1/128"),
        description="Proxies whose X-Forwarded-For the API believes, as CIDRs, comma-separated "
        "(e.g. 10.0.0.5/32); the client is the right-most address not among them. Name the "
        "proxies themselves: a client inside a trusted network may choose its address.",
    )
    match_records_per_minute: int = Field(
        # Ten thousand a second: above what one worker matches (BENCHMARKS.md, "API").
        default=600_000,
        ge=0,
        description="Addresses a minute each API key may send to bulk matching (POST /v1/match), "
        "per API worker process, charged by the records of each request (0: no limit).",
    )
    statement_timeout_seconds: float = Field(
        default=30.0,
        ge=0,
        description="The longest any one database statement of the API may run (0: no limit).",
    )
    metrics_public: bool = Field(
        default=True,
        description="Serve /metrics to anyone; false: only to a request with a valid API key.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # from_environ hands the NSAI_* variables over as init values, so that a caller (a test,
        # the CLI's main(argv, environ)) decides exactly which environment is read.
        return (init_settings,)

    def as_environ(self) -> dict[str, str]:
        """These settings as NSAI_* variables, for processes started with them (API workers)."""
        return {
            ENV_PREFIX + name.upper(): ",".join(value) if isinstance(value, tuple) else str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` alone (os.environ when None), so callers stay hermetic."""
        source = os.environ if environ is None else environ
        values = {
            key[len(ENV_PREFIX) :].lower(): value
            for key, value in source.items()
            if key.startswith(ENV_PREFIX) and value != ""
        }
        return cls.model_validate(values)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """NSAI_* variables that name no setting: most likely typos (NSAI_DATABSE_URL)."""
    source = os.environ if environ is None else environ
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(k for k in source if k.startswith(ENV_PREFIX) and k not in known)
