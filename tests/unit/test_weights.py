"""The weights' fitting: what the data says moves them, the priors hold where it says nothing,
and the rules that keep them explainable hold."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nsai.errors import NsaiError
from nsai.match.compare import HAND_SET
from nsai.match.weights import fit, hand_set, read, write

HAND = hand_set(
    -4.0,
    {
        "name": [("exact", 4.0), ("fuzzy", 1.0), ("differs", -4.0), ("missing", 0.0)],
        "place": [("exact", 2.0), ("differs", -2.0)],
    },
)


def _pairs(n: int, seed: int = 1) -> list[tuple[dict[str, str], bool]]:
    """Pairs where "fuzzy" names are as telling as exact ones, and places say little."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        same = rng.random() < 0.3
        if same:
            name = rng.choices(["exact", "fuzzy", "missing"], [0.6, 0.3, 0.1])[0]
        else:
            name = rng.choices(["exact", "fuzzy", "differs", "missing"], [0.01, 0.01, 0.88, 0.1])[0]
        place = "exact" if rng.random() < (0.9 if same else 0.7) else "differs"
        out.append(({"name": name, "place": place}, same))
    return out


def test_the_data_moves_a_weight_it_shows() -> None:
    learned = fit(_pairs(20_000), HAND, sigma=2.0, learned_from="test")
    # "fuzzy" is in truth as telling as "exact": it rises well above its hand-set 1 bit.
    assert learned.bits("name", "fuzzy") > 3.0
    assert learned.bits("name", "missing") == 0.0
    assert learned.pairs == 20_000
    assert learned.levels["name"]["differs"].hand == -4.0
    m = sum(w.m for w in learned.levels["name"].values())
    assert m == pytest.approx(1.0, abs=1e-3)


def test_levels_never_weigh_more_for_less_agreement() -> None:
    # Pairs where fuzzy names are likelier one property than exact ones: pooled into one weight.
    pairs = [({"name": "exact", "place": "exact"}, i % 2 == 0) for i in range(1_000)]
    pairs += [({"name": "fuzzy", "place": "exact"}, i % 10 != 0) for i in range(1_000)]
    pairs += [({"name": "differs", "place": "exact"}, False) for _ in range(1_000)]
    learned = fit(pairs, HAND, sigma=5.0, learned_from="test")
    assert learned.bits("name", "exact") == learned.bits("name", "fuzzy")
    assert learned.bits("name", "fuzzy") > learned.bits("name", "differs")


def test_a_level_the_data_never_shows_keeps_its_hand_set_bits() -> None:
    pairs = [p for p in _pairs(5_000) if p[0]["name"] != "fuzzy"]
    learned = fit(pairs, HAND, sigma=1.0, learned_from="test")
    assert learned.levels["name"]["fuzzy"].m == 0.0
    assert abs(learned.bits("name", "fuzzy") - 1.0) < 0.5


def test_learning_needs_both_kinds_of_pair() -> None:
    with pytest.raises(NsaiError, match="pairs of one property and pairs of two"):
        fit([({"name": "exact", "place": "exact"}, True)] * 10, HAND, 1.0, "test")


def test_a_file_round_trips_and_must_weigh_these_levels(tmp_path: Path) -> None:
    learned = fit(_pairs(2_000), HAND, sigma=1.0, learned_from="test")
    path = tmp_path / "weights.json"
    write(learned, path)
    assert read(path, HAND) == learned
    with pytest.raises(NsaiError, match="other comparisons or levels"):
        read(path, HAND_SET)
    path.write_text("{not json")
    with pytest.raises(NsaiError, match="cannot read the weights"):
        read(path, HAND)
