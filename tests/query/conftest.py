"""The read side's tests share one published gazetteer (tests/published.py)."""

from __future__ import annotations

from tests.published import published

__all__ = ["published"]
