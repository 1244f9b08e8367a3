"""Dates for the records a source writes, fixed by the seed so that output is reproducible."""

from __future__ import annotations

import datetime as dt
import random

_BULK_LOAD = (dt.date(1998, 4, 1).toordinal(), dt.date(2003, 12, 31).toordinal())


class Dates:
    """The process date of an extract (a day of 2024 chosen by the seed) and record dates.

    Most records date from a council's first bulk load of its gazetteer (1998-2003); the rest
    were added since, up to a month before the extract.
    """

    def __init__(self, seed: int) -> None:
        self.process = dt.date(2024, 1, 1) + dt.timedelta(days=seed % 366)
        self.time_stamp = dt.time(hour=2 + seed % 5, minute=seed % 60, second=(seed * 7) % 60)
        self._last = self.process.toordinal() - 30

    def entry(self, rng: random.Random) -> str:
        if rng.random() < 0.8:
            day = rng.randint(*_BULK_LOAD)
        else:
            day = rng.randint(_BULK_LOAD[1], self._last)
        return dt.date.fromordinal(day).isoformat()

    def recent(self, rng: random.Random) -> str:
        """Within the year before the extract (provisional records, recent updates)."""
        return dt.date.fromordinal(rng.randint(self._last - 365, self._last)).isoformat()

    def after(self, iso: str, rng: random.Random) -> str:
        """A day between `iso` and a month before the extract."""
        start = dt.date.fromisoformat(iso).toordinal()
        return dt.date.fromordinal(rng.randint(start, max(start, self._last))).isoformat()
