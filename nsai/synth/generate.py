"""`generate`: writes a synthetic region, its sources and its ground truth into a directory.

Output (all UTF-8, "\n" line endings):

- llpg-<code>.csv: one DTF 7.3 file per council; county.csv: the county gazetteer (DTF 7.3);
  ctax.csv: a council-tax style list; fire.geojson: a fire-service premises list (WGS84);
- truth.csv (source,source_ref,true_id), properties.csv (the truth itself: every property's
  BS7666 parts, class, parent, coordinates and address), queries.csv (id,address,true_id);
- manifest.json: the options, the councils and county, and each source with a suggested name,
  file, format, record count and, for CSV and GeoJSON, the column mapping a loader needs (in the
  keys of `nsai load`'s mapping file).

Generation streams: settlement by settlement, street by street, every source is written as the
street is made, so memory stays flat whatever the size (bar the queries, which are held to be
shuffled). The output is written into a temporary sibling of OUTDIR that replaces OUTDIR only
once complete, so a failure leaves nothing half-written (missing parent directories are created
first, like `mkdir -p`). An existing OUTDIR that is not empty is refused unless `force` is
given, in which case it is replaced as a whole.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TextIO

from nsai.errors import NsaiError
from nsai.synth.dates import Dates
from nsai.synth.geography import plan_region
from nsai.synth.identifiers import PostcodeUnits, UprnAllocator, UsrnAllocator
from nsai.synth.properties import Identifiers, SettlementBuilder
from nsai.synth.queries import QueryMaker
from nsai.synth.sources import Source
from nsai.synth.sources.county import CountyGazetteer
from nsai.synth.sources.ctax import CtaxList
from nsai.synth.sources.fire import FireList
from nsai.synth.sources.llpg import CouncilLlpg
from nsai.synth.truth import PropertiesWriter, TruthWriter

MAX_COUNCILS = 50
MAX_PROPERTIES = 10_000_000
MIN_PROPERTIES_PER_COUNCIL = 50
BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class SynthOptions:
    councils: int = 3
    properties: int = 5_000
    seed: int = 1
    queries: int = 500


@dataclass(frozen=True, slots=True)
class SynthResult:
    outdir: Path
    properties: int
    records: dict[str, int]  # per source name, in manifest order
    queries: int


def check_options(options: SynthOptions) -> None:
    """Raises NsaiError, saying which option is wrong and why, for impossible options."""
    if not 1 <= options.councils <= MAX_COUNCILS:
        raise NsaiError(f"--councils must be between 1 and {MAX_COUNCILS}, not {options.councils}")
    least = MIN_PROPERTIES_PER_COUNCIL * options.councils
    if options.properties < least:
        raise NsaiError(
            f"--properties must be at least {MIN_PROPERTIES_PER_COUNCIL} per council "
            f"({least} for {options.councils}), not {options.properties}"
        )
    if options.properties > MAX_PROPERTIES:
        raise NsaiError(
            f"--properties must be at most {MAX_PROPERTIES:,}, not {options.properties:,}"
        )
    if options.seed < 0:
        raise NsaiError(f"--seed must be 0 or more, not {options.seed}")
    if not 0 <= options.queries <= options.properties:
        raise NsaiError(
            f"--queries must be between 0 and --properties ({options.properties}), "
            f"not {options.queries}"
        )


def generate(
    outdir: Path,
    options: SynthOptions,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SynthResult:
    """Writes the region for `options` into `outdir`; `progress` gets properties done so far."""
    check_options(options)
    outdir = outdir.absolute()
    _check_outdir(outdir, force)
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    except OSError as exc:
        raise NsaiError(f"cannot write into {outdir.parent}: {exc.strerror or exc}") from exc
    try:
        # mkdtemp makes the directory private; OUTDIR should get the user's usual mode.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        result = _write(staging, options, progress)
        _replace(staging, outdir)
    except OSError as exc:
        raise NsaiError(f"cannot write {outdir}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return replace(result, outdir=outdir)


def _check_outdir(outdir: Path, force: bool) -> None:
    if outdir.is_dir():
        if not force and any(outdir.iterdir()):
            raise NsaiError(f"{outdir} exists and is not empty: choose another or pass --force")
    elif outdir.exists():
        raise NsaiError(f"{outdir} exists and is not a directory")
    for parent in outdir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NsaiError(f"{parent} is not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise NsaiError(f"cannot write into {parent}: permission denied")
            break


def _replace(staging: Path, outdir: Path) -> None:
    """Moves the finished output into place (replacing an existing OUTDIR as a whole)."""
    if outdir.is_dir() and any(outdir.iterdir()):
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old.", dir=outdir.parent))
        outdir.rename(old / outdir.name)
        staging.rename(outdir)
        shutil.rmtree(old)
    else:
        # rename() replaces an empty directory in one step.
        staging.rename(outdir)


def _open(stack: ExitStack, path: Path) -> TextIO:
    return stack.enter_context(path.open("w", encoding="utf-8", newline="", buffering=BUFFER))


def _write(
    directory: Path, options: SynthOptions, progress: Callable[[int], None] | None
) -> SynthResult:
    seed = options.seed
    region = plan_region(options.councils, options.properties, seed)
    dates = Dates(seed)
    ids_rng = random.Random(f"nsai-synth/{seed}/identifiers")
    ids = Identifiers(
        uprns={c.code: UprnAllocator(c.code, ids_rng) for c in region.councils},
        usrns={c.code: UsrnAllocator(c) for c in region.councils},
        postcodes=PostcodeUnits(ids_rng),
    )
    county_name = region.county.area_name
    with ExitStack() as stack:
        truth = TruthWriter(_open(stack, directory / "truth.csv"))
        truth_properties = PropertiesWriter(_open(stack, directory / "properties.csv"))
        llpgs = {
            c.code: CouncilLlpg(
                _open(stack, directory / f"llpg-{c.code}.csv"),
                c,
                dates=dates,
                uprns=ids.uprns[c.code],
                truth=truth,
                seed=seed,
            )
            for c in region.councils
        }
        county = CountyGazetteer(
            _open(stack, directory / CountyGazetteer.file_name),
            region.county,
            dates=dates,
            uprns=UprnAllocator(region.county.code, ids_rng),
            truth=truth,
            seed=seed,
        )
        ctax = CtaxList(
            _open(stack, directory / CtaxList.file_name), county=county_name, truth=truth, seed=seed
        )
        fire = FireList(
            _open(stack, directory / FireList.file_name), county=county_name, truth=truth, seed=seed
        )
        sources: list[Source] = [*llpgs.values(), county, ctax, fire]
        queries = QueryMaker(
            queries=options.queries, properties=options.properties, county=county_name, seed=seed
        )
        done = 0
        for settlement in region.settlements:
            builder = SettlementBuilder(settlement, seed, ids)
            for street, properties in builder.streets():
                llpgs[street.council.code].add_street(street, properties)
                if settlement.neighbour is not None:
                    other = settlement.neighbour
                    if street.council is other:
                        other = settlement.council
                    llpgs[other.code].add_cross_boundary(street, properties)
                if street.council.in_county:
                    county.add_street(street, properties)
                ctax.add_street(street, properties)
                fire.add_street(street, properties)
                truth_properties.add_street(street, properties)
                queries.add_street(street, properties, builder.street_names)
                done += len(properties)
            if progress is not None:
                progress(done)
        for source in sources:
            source.close()
        query_count = queries.write(_open(stack, directory / "queries.csv"))
    records = {source.name: truth.counts[source.name] for source in sources}
    manifest = {
        "generator": "nsai synth",
        "options": asdict(options),
        "councils": [
            {"code": c.code, "name": c.name, "two_tier": c.in_county} for c in region.councils
        ],
        "county": {"code": region.county.code, "name": region.county.name},
        "sources": [source.describe() | {"records": records[source.name]} for source in sources],
        "truth": {"file": "truth.csv", "columns": ["source", "source_ref", "true_id"]},
        "properties": {"file": "properties.csv", "records": truth_properties.count},
        "queries": {
            "file": "queries.csv",
            "columns": ["id", "address", "true_id"],
            "records": query_count,
        },
    }
    (directory / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return SynthResult(directory, options.properties, records, query_count)
