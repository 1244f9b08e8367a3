"""Real addresses spelt again the way service lists spell them.

A council's one-line address ("64, THE HAWTHORNS, PANT, MERTHYR TYDFIL, CF48 2EJ") comes back
from a council-tax, benefits or booking system changed in the ways people and systems change
it: another case, street types abbreviated, the locality or the town dropped, one slip of a
letter, the postcode unspaced or missing, the commas dropped, the number run into the street.
The benchmark and the tests use this to make copies of real lists with a known truth.

`Respelling` holds the chance of each change; `respell` applies them to one address, drawing
from the caller's generator, so the copies depend only on the seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Final

from nsai.synth import names
from nsai.synth.noise import typo

# Street types as service lists abbreviate them: those the synth's typists use.
ABBREVIATIONS: Final = {
    name.upper(): tuple(short.upper() for short in shorts)
    for name, _, shorts in names.STREET_TYPES
    if shorts
}
_POSTCODE: Final = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}", re.IGNORECASE)
_NUMBER: Final = re.compile(r"[0-9]+[A-Z]?(?:[-/][0-9]+[A-Z]?)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Respelling:
    """Chances, per address, of each change a service list makes."""

    lower: float = 0.25
    title: float = 0.25  # else upper case, as written
    abbreviate: float = 0.4  # every street type of the address abbreviated
    drop_locality: float = 0.4  # of an address that has one
    drop_town: float = 0.15
    slip: float = 0.2  # one letter changed, dropped, doubled or swapped
    postcode_missing: float = 0.1
    postcode_unspaced: float = 0.3
    no_commas: float = 0.35
    number_run_in: float = 0.4  # "17 PANTYSCALLOG HOUSES" for "17, PANTYSCALLOG HOUSES"


def respell(address: str, rng: random.Random, how: Respelling = Respelling()) -> str:
    """`address` (comma-separated, postcode last) spelt as a service list might spell it."""
    segments = [s.strip() for s in address.split(",") if s.strip()]
    postcode = segments.pop() if segments and _POSTCODE.fullmatch(segments[-1]) else ""
    street_at = next((i + 1 for i, s in enumerate(segments[:-1]) if _NUMBER.fullmatch(s)), None)
    # The town closes the address; a locality stands between the street and the town.
    if (
        len(segments) >= 3
        and street_at is not None
        and street_at + 2 < len(segments)
        and rng.random() < how.drop_locality
    ):
        del segments[-2]
    if len(segments) >= 3 and rng.random() < how.drop_town:
        segments.pop()
    if rng.random() < how.abbreviate:
        segments = [_abbreviate(s, rng) for s in segments]
    if rng.random() < how.slip:
        candidates = [i for i, s in enumerate(segments) if re.search(r"[A-Za-z]{4}", s)]
        if candidates:
            i = rng.choice(candidates)
            segments[i] = typo(segments[i], rng)
    if street_at is not None and street_at < len(segments) and rng.random() < how.number_run_in:
        segments[street_at - 1 : street_at + 1] = [
            f"{segments[street_at - 1]} {segments[street_at]}"
        ]
    r = rng.random()
    if postcode and r < how.postcode_missing:
        postcode = ""
    elif postcode and rng.random() < how.postcode_unspaced:
        postcode = postcode.replace(" ", "")
    if postcode:
        segments.append(postcode)
    text = (" " if rng.random() < how.no_commas else ", ").join(segments)
    r = rng.random()
    if r < how.lower:
        return text.lower()
    if r < how.lower + how.title:
        return text.title()
    return text


def _abbreviate(segment: str, rng: random.Random) -> str:
    words = segment.split(" ")
    last = words[-1].upper()
    if len(words) > 1 and last in ABBREVIATIONS:
        words[-1] = rng.choice(ABBREVIATIONS[last])
    return " ".join(words)
