"""Comparisons declared as data, and the pairwise score they add up to.

Each `Comparison` names a field, lists its levels of agreement with a weight in bits (log2 of a
Bayes factor: how much likelier the level is for two records of one property than for two
records of different properties that blocking put together), and has a small `classify` that
says which level a pair is at. `compare` adds the prior and one level's bits per comparison and
turns the total into a probability (base-2 logistic), keeping every contribution so a steward
or the API can see why a pair scored what it did (the Splink habit).

The bits declared here are set by hand, with the candidate pairs of the blocking rules in mind
(most of them neighbours: same street, same postcode, a few tens of metres apart). They are the
priors of weights learned from a region whose truth is known (weights.py), which score in their
place when NSAI_MATCH_WEIGHTS names them; `nsai weights show` sets the two side by side. What
shaped the hand-set bits:

- Identity comes from the identifiers (SAO, PAO, building name); street, town, postcode and
  position mostly say "same neighbourhood", which candidate pairs share anyway. So the PAO
  weighs most, and locality fields cannot outvote a missing or clashing identifier.
- A pair agreeing on SAO/PAO, street and town with nothing else (a council-tax row against a
  council record) reaches about 0.98; the same number and street in another town about 0.2.
- Fuzzy levels that also catch different real names are weak or negative: "SAINT MARYS ROAD" vs
  "SAINT MARKS ROAD" looks like a typo, "NEWTON" vs "NEWTOWN" too, and "NORTH LODGE" vs "SOUTH
  LODGE" is 82% alike. A one-slip street or town alone therefore leaves a pair just under 0.9
  until a postcode or a position backs it; an over-merge is worse than a miss.
- A mistyped postcode (one character: same sector, or same district) costs little; a postcode
  in another district, or a position hundreds of metres off, costs much but never vetoes (a
  county record may sit at its postcode unit's centre).
- Disagreeing identifiers are vetoes (`identifiers_conflict`); their levels still carry bits so
  the explanation reads the same for every pair.

Fast by construction: each classify reads a few slots, compares strings for equality first, and
calls a rapidfuzz scorer only when keys differ.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from nsai.address.normalise import STREET_OR_PLACE_TYPES, STREET_TYPES, one_slip
from nsai.match.records import MatchRecord
from nsai.match.weights import Weights, hand_set, in_use

# About one candidate pair in 256 is one property: most are neighbours within tens of metres,
# each seen by several sources. The hand-set prior.
PRIOR_BITS: Final = -8.0

# A house or building name at least this alike (rapidfuzz ratio) is not clearly another name.
BUILDING_CLASH_BELOW: Final = 80.0


Classify = Callable[[MatchRecord, MatchRecord], str]


@dataclass(frozen=True, slots=True)
class Level:
    label: str
    bits: float  # log2 Bayes factor: positive for agreement, negative for disagreement, 0 no data


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]  # strongest agreement first, "missing" (no data) last when present
    classify: Classify  # the label of one of `levels`


@dataclass(slots=True)  # not frozen, for speed: see nsai/match/records.py, MatchRecord
class PairScore:
    score: float  # 0..1; 0.0 whenever `veto` is set
    bits: float  # the prior + the sum of the contributions' bits (kept when vetoed)
    contributions: dict[str, tuple[str, float]]  # comparison name -> (level label, bits)
    veto: str | None  # why the pair may never be one property, or None


# --- vetoes ------------------------------------------------------------------------------------


def identifiers_conflict(a: MatchRecord, b: MatchRecord) -> str | None:
    """Why `a` and `b` can never be one property, or None. A record lacking its flat number is
    kept apart from every flat, so it cannot chain the flats of a building together."""
    sa, sb = a.sao_key, b.sao_key
    if sa != sb:
        if sa is not None and sb is not None:
            return f"SAO {sa} vs {sb}"
        return f"SAO {sa or sb} vs none"
    ua, ub = a.unit_use, b.unit_use
    if ua is not None and ub is not None and ua != ub:
        return f"a dwelling and a commercial unit ({a.classification} vs {b.classification})"
    pa, pb = a.pao_key, b.pao_key
    if pa is not None and pb is not None and pa != pb:
        return f"PAO {pa} vs {pb}"
    if pa is None and pb is None:
        ba, bb = a.building_key, b.building_key
        if (
            ba is not None
            and bb is not None
            and ba != bb
            and fuzz.ratio(ba, bb, score_cutoff=BUILDING_CLASH_BELOW) == 0.0
        ):
            return f"building {ba} vs {bb}"
    if (a.uprn is not None and a.uprn == b.parent_uprn) or (
        b.uprn is not None and b.uprn == a.parent_uprn
    ):
        return "parent and child"
    if a.source == b.source and a.duplicate_free:
        return f"both from {a.source}, which lists each property once"
    return None


# --- classify functions, one per comparison ----------------------------------------------------


def _identifier(x: str | None, y: str | None) -> str:
    if x is None:
        return "both absent" if y is None else "one absent"
    if y is None:
        return "one absent"
    return "exact" if x == y else "differs"


def _sao(a: MatchRecord, b: MatchRecord) -> str:
    return _identifier(a.sao_key, b.sao_key)


def _pao(a: MatchRecord, b: MatchRecord) -> str:
    return _identifier(a.pao_key, b.pao_key)


def _building(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.building_key, b.building_key
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    ratio = fuzz.ratio(x, y)
    if ratio >= 90.0:
        return "fuzzy >= 90"
    return "fuzzy >= 80" if ratio >= BUILDING_CLASH_BELOW else "differs"


def _street(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.street_key, b.street_key
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    if one_slip(x, y):
        return "one slip"
    (short, shorter), (long, _) = sorted(((x.split(), a), (y.split(), b)), key=lambda s: len(s[0]))
    n = len(short)
    extra = long[n:] if long[:n] == short else long[:-n] if long[-n:] == short else None
    if extra and " ".join(extra) in (shorter.locality_key, shorter.town_key):
        # The place the other names, read into the street by a parse without commas.
        return "exact"
    if extra and not (len(extra) == 1 and extra[0] in STREET_TYPES | STREET_OR_PLACE_TYPES):
        # A street and its qualified namesake: "BRIDGE STREET WEST", "HIGH STREET (ABOVE
        # BRIDGE)", "UPPER CHURCH ROAD": another street by the way streets are named (a type
        # word alone is one source leaving it out: "GLANMORLAIS" against "GLANMORLAIS ROAD").
        return "qualified"
    # Mostly other streets nearby: "HILL LANE", "CHURCH LANE" against "CHURCH ROAD";
    # sometimes two slips.
    return "similar" if JaroWinkler.normalized_similarity(x, y) >= 0.88 else "differs"


def _town(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.town_key, b.town_key
    if x is not None and x == y:
        return "exact"
    # A village given as the town by one source and as the locality (under its post town) by
    # another, or both naming the same locality under different towns.
    la, lb = a.locality_key, b.locality_key
    if (
        (x is not None and lb is not None and (x == lb or one_slip(x, lb)))
        or (y is not None and la is not None and (y == la or one_slip(y, la)))
        or (la is not None and la == lb)
    ):
        return "locality"
    if x is None or y is None:
        return "missing"
    return "one slip" if one_slip(x, y) else "differs"


def _locality(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.locality_key, b.locality_key
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    if one_slip(x, y):
        return "one slip"
    # One source names the estate, the other the village it is in: "GELLIDEG ESTATE".
    wx, wy = set(x.split()), set(y.split())
    return "one within the other" if wx <= wy or wy <= wx else "differs"


def _postcode(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.postcode_key, b.postcode_key
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    # Keys are valid compact postcodes, whose inward code is always three characters: the
    # sector is all but the last two, the district (outward code) all but the last three.
    if x[:-3] != y[:-3]:
        return "differs"
    # One character of the inward code mistyped, or two swapped: a slip of the keyboard. Two
    # postcodes of one street mostly differ in more than that (FQ2 4AN, FQ2 4BS).
    if OSA.distance(x[-3:], y[-3:], score_cutoff=1) <= 1:
        return "one slip"
    return "same sector" if x[:-2] == y[:-2] else "same district"


def _distance(a: MatchRecord, b: MatchRecord) -> str:
    if a.x is None or a.y is None or b.x is None or b.y is None:
        return "missing"
    dx = a.x - b.x
    dy = a.y - b.y
    squared = dx * dx + dy * dy
    if squared <= 25.0:
        return "within 5 m"
    if squared <= 625.0:
        return "within 25 m"
    if squared <= 10_000.0:
        return "within 100 m"
    return "within 300 m" if squared <= 90_000.0 else "farther"


def _usrn(a: MatchRecord, b: MatchRecord) -> str:
    if a.usrn is None or b.usrn is None:
        return "missing"
    return "exact" if a.usrn == b.usrn else "differs"


# A house, flat or range number in a key: "12", "12A", the ends of "10-12"; not an ordinal
# ("1ST") nor a postcode's digits (postcodes are not read).
_NUMBER: Final = re.compile(r"\b\d+[A-Z]?\b")


@lru_cache(maxsize=1 << 17)
def _numbers_in(*keys: str | None) -> frozenset[str]:
    return frozenset(_NUMBER.findall(" ".join(k for k in keys if k)))


def _numbers_of(r: MatchRecord) -> frozenset[str]:
    return _numbers_in(
        r.sao_key, r.pao_key, r.building_key, r.street_key, r.locality_key, r.town_key
    )


def _numbers(a: MatchRecord, b: MatchRecord) -> str:
    """The numbers of the whole address, wherever the parse put them: "FLAT 5 85/86 HIGH ST"
    read as a building "85/86 HIGH" holds 5, 85 and 86 all the same."""
    x, y = _numbers_of(a), _numbers_of(b)
    if x == y:
        return "same" if x else "none"
    if not x or not y:
        return "one without"
    # One source gives a number the other leaves out ("ROSE COURT, 2 HIGH STREET" against
    # "ROSE COURT, HIGH STREET"); numbers on both sides that the other lacks are two addresses.
    return "one within the other" if x < y or y < x else "differ"


def _organisation(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.organisation_key, b.organisation_key
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    # Token sets: "BOOTS" and "BOOTS THE CHEMISTS" are one business.
    return "fuzzy" if fuzz.token_set_ratio(x, y) >= 90.0 else "differs"


def _classification(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.classification, b.classification
    if not x or not y:
        return "missing"
    # One code a prefix of the other: a coarse "RD" against "RD04" is the same class.
    if x.startswith(y) or y.startswith(x):
        return "same"
    return "same primary" if x[0] == y[0] else "differs"


# --- the comparisons ---------------------------------------------------------------------------

COMPARISONS: Final[tuple[Comparison, ...]] = (
    Comparison(
        "sao",
        (
            Level("exact", 3.0),
            Level("both absent", 1.0),  # neither is a flat: a house against a house
            Level("one absent", -8.0),  # vetoed
            Level("differs", -10.0),  # vetoed
        ),
        _sao,
    ),
    Comparison(
        "pao",
        (
            Level("exact", 7.0),
            Level("both absent", 0.0),  # named houses: the building name decides
            Level("one absent", -6.0),  # a named house against a numbered one
            Level("differs", -10.0),  # vetoed
        ),
        _pao,
    ),
    Comparison(
        "building",
        (
            Level("exact", 6.5),  # a house name, in its street and town, is all but unique
            Level("fuzzy >= 90", 3.0),  # a slip in a long name: "ROSE COTAGE"
            Level("fuzzy >= 80", -4.0),  # as often another name: "NORTH LODGE", "SOUTH LODGE"
            Level("differs", -6.0),  # vetoed when neither has a number
            Level("missing", 0.0),  # one source drops the name of a numbered house
        ),
        _building,
    ),
    Comparison(
        "street",
        (
            Level("exact", 4.0),
            Level("one slip", 1.0),  # a typo, or a near-namesake ("SAINT MARKS ROAD")
            Level("similar", -2.0),
            Level("qualified", -4.0),
            Level("differs", -6.0),
            Level("missing", 0.0),
        ),
        _street,
    ),
    Comparison(
        "town",
        (
            Level("exact", 2.0),
            Level("locality", 1.5),
            Level("one slip", -1.5),  # a typo, or "NEWTON" against "NEWTOWN"
            Level("differs", -6.0),
            Level("missing", 0.0),
        ),
        _town,
    ),
    Comparison(
        "locality",
        (
            Level("exact", 1.0),
            Level("one slip", 0.0),
            Level("one within the other", 0.0),
            # One street name in two localities of a town: "HIGH STREET, DOWLAIS TOP" and
            # "HIGH STREET, CAEHARRIS" are two streets.
            Level("differs", -5.0),
            Level("missing", 0.0),
        ),
        _locality,
    ),
    Comparison(
        "postcode",
        (
            Level("exact", 3.0),
            Level("one slip", 0.0),  # mostly a typo; now and then a neighbour's unit
            Level("same sector", -2.5),  # mostly a neighbour's postcode: another property
            Level("same district", -3.5),
            Level("differs", -5.0),
            Level("missing", 0.0),
        ),
        _postcode,
    ),
    Comparison(
        "distance",
        (
            Level("within 5 m", 2.0),
            Level("within 25 m", 1.0),
            Level("within 100 m", 0.0),
            Level("within 300 m", -1.5),  # a postcode-centre point, a coarse list
            Level("farther", -4.0),
            Level("missing", 0.0),
        ),
        _distance,
    ),
    Comparison(
        "usrn",
        (
            Level("exact", 2.0),
            Level("differs", -3.0),  # a street crossing a boundary may have one USRN a side
            Level("missing", 0.0),
        ),
        _usrn,
    ),
    Comparison(
        "numbers",
        (
            # Evidence against only: the parts' own comparisons count the agreement, and counting
            # it twice lifts doubtful pairs ("12 SAINT MARYS ROAD", "12 SAINT MARKS ROAD").
            Level("same", 0.0),
            Level("none", 0.0),
            Level("one without", 0.0),
            Level("one within the other", -1.0),
            # "FLAT 4" against "FLAT 5", "12" against "12A", whichever part they were read into.
            Level("differ", -8.0),
        ),
        _numbers,
    ),
    Comparison(
        "organisation",
        (
            Level("exact", 2.0),
            Level("fuzzy", 1.0),
            Level("differs", -1.0),  # occupiers change between sources' dates
            Level("missing", 0.0),
        ),
        _organisation,
    ),
    Comparison(
        "classification",
        (
            Level("same", 1.0),
            Level("same primary", 0.5),  # RD03 semi against RD04 terrace: sources disagree
            Level("differs", -2.0),
            Level("missing", 0.0),
        ),
        _classification,
    ),
)

HAND_SET: Final[Weights] = hand_set(
    PRIOR_BITS, {c.name: [(level.label, level.bits) for level in c.levels] for c in COMPARISONS}
)


@functools.cache
def weights() -> Weights:
    """What scores: the file NSAI_MATCH_WEIGHTS names, else the hand-set bits. Read on first
    use, not on import, so a bad file is a clear error of the command that scores."""
    return in_use(HAND_SET)


@functools.cache
def _scoring() -> tuple[float, tuple[tuple[str, Classify, dict[str, float]], ...]]:
    """The prior, and each comparison's classify and its levels' bits by label."""
    chosen = weights()
    return chosen.prior, tuple(
        (c.name, c.classify, {label: w.bits for label, w in chosen.levels[c.name].items()})
        for c in COMPARISONS
    )


# Levels that are one slip of the keys; levels that speak against; what must agree exactly.
_SLIPS: Final = frozenset((
    ("street", "one slip"), ("town", "one slip"), ("locality", "one slip"),
    ("building", "fuzzy >= 90"), ("postcode", "one slip"),
))  # fmt: skip
_AGAINST: Final = frozenset(("differs", "one absent", "similar", "qualified", "same sector",
                             "same district",
                             "farther", "within 300 m", "fuzzy >= 80", "one within the other",
                             "differ"))  # fmt: skip


def slip_only(score: PairScore) -> bool:
    """Whether a pair differs by one slip of the keys alone, and every other part confirms it:
    its house number or name agree exactly, its postcode or its position (within 25 m) too,
    and nothing speaks against it ("KINGFISHER CROFT, HENRY ABENUE"); a slip in the house
    name itself ("GLEBE HOUS") when its street and postcode both agree. Such a pair is one
    property, whatever its score: no steward needs to be asked."""
    if score.veto is not None:
        return False
    levels = {name: label for name, (label, _) in score.contributions.items()}
    slips = [name for name, label in levels.items() if (name, label) in _SLIPS]
    if len(slips) != 1 or any(label in _AGAINST for label in levels.values()):
        return False
    placed = levels["postcode"] == "exact" or levels["distance"] in ("within 5 m", "within 25 m")
    if slips == ["building"]:
        # The slip in the house name itself: its street and postcode must both say it.
        return levels["street"] == "exact" and levels["postcode"] == "exact"
    identified = levels["pao"] == "exact" or levels["building"] == "exact"
    return identified and placed


def levels(score: PairScore) -> tuple[str, ...]:
    """The pair's level of each comparison, in their order: all its explanation says."""
    return tuple(label for label, _ in score.contributions.values())


@lru_cache(maxsize=65_536)
def explanation(levels: tuple[str, ...]) -> str:
    """Why a pair that no veto parts scored as it did, as links and review items keep it: each
    comparison's level and bits, and the score; made once per distinct set of levels, of which
    a run has a few thousand for a million pairs."""
    total, scoring = _scoring()
    said: dict[str, object] = {}
    for (name, _, bits_of), label in zip(scoring, levels, strict=True):
        bits = bits_of[label]
        said[name] = [label, round(bits, 2)]
        total += bits
    said["score"] = round(1.0 / (1.0 + 2.0**-total), 4)
    return json.dumps(said)


def compare(a: MatchRecord, b: MatchRecord) -> PairScore:
    """The pair's score with every comparison's contribution; 0.0 when a veto applies."""
    veto = identifiers_conflict(a, b)
    contributions: dict[str, tuple[str, float]] = {}
    total, scoring = _scoring()
    for name, classify, bits_of in scoring:
        label = classify(a, b)
        bits = bits_of[label]
        contributions[name] = (label, bits)
        total += bits
    score = 0.0 if veto is not None else 1.0 / (1.0 + 2.0**-total)
    return PairScore(score, total, contributions, veto)
