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
# A search or typeahead needs a word of at least this many letters or digits: the trigram
# index finds a word from three characters on, and words all shorter ("st", "12") would be
# looked for in every address (5 to 10 s on 1M records).
MIN_WORD: Final = 3

# The forms of parameters, as the checks of the read side match them (whole) and as the API's
# schema states them (JSON Schema patterns, anchored with ^...$ where the whole must match).
CURSOR_FORM: Final = "[A-Za-z0-9_-]{1,64}"  # an opaque cursor (nsai/query/paging.py)
FEED_CURSOR_FORM: Final = "[0-9]{1,18}"  # the change feed's `since`
CLASSIFICATION_FORM: Final = "[A-Za-z0-9*]{1,6}"
POSTCODE_AREA_FORM: Final = "[A-Za-z]{1,2}"
# Free text holding a word of at least MIN_WORD letters or digits (found anywhere in it, as JSON
# Schema patterns are; `'` and `.` are dropped inside a word, see nsai/query/text.py).
WORD_PATTERN: Final = f"[A-Za-z0-9](?:['.]*[A-Za-z0-9]){{{MIN_WORD - 1}}}"
