"""The limits of the read side, in one place: the API states them in its docs and enforces them
with a 422 naming the parameter."""

from __future__ import annotations

from typing import Final

# Spatial queries.
MAX_RADIUS_M: Final = 2_000.0
MAX_AREA_M2: Final = 10_000_000.0  # 10 km², for a bbox and for a polygon
MAX_POLYGON_VERTICES: Final = 10_000

# Page sizes: listings (postcode, bbox, radius, polygon, change feed), ranked results, typeahead.
MAX_PAGE: Final = 1_000
DEFAULT_PAGE: Final = 100
MAX_RANKED: Final = 100
DEFAULT_RANKED: Final = 20
MAX_SUGGESTIONS: Final = 20
DEFAULT_SUGGESTIONS: Final = 10

# Free text: longer input is refused, not truncated (a truncated query answers another question).
MAX_TEXT: Final = 200
MIN_TYPEAHEAD_WORD: Final = 3
