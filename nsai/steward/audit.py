"""The audit log: every steward operation with who, when, why, and the rows before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from nsai.db.queries import execute
from nsai.query.errors import BadInput, NotFound

MAX_PAGE: Final = 200


class Operation(BaseModel):
    operation_id: int
    kind: str
    actor: str = Field(description="The API key's name (or the CLI user) who did it.")
    reason: str | None
    params: dict[str, Any]
    before: dict[str, Any] = Field(description="The rows it touched, as they were.")
    after: dict[str, Any] = Field(description="The same rows, as it left them.")
    undoes: int | None
    undone_by: int | None
    created_at: datetime


def log(
    engine: Engine, uprn: int | None = None, limit: int = 50, before: int | None = None
) -> list[Operation]:
    """Newest first; of one national record when `uprn` is given; before operation `before`."""
    if not 1 <= limit <= MAX_PAGE:
        raise BadInput("limit", f"1 to {MAX_PAGE}")
    return _fetch(engine, "log", uprn=uprn, before_id=before, limit=limit)


def operation(engine: Engine, operation_id: int) -> Operation:
    found = _fetch(engine, "operation", operation=operation_id)
    if not found:
        raise NotFound(f"there is no operation {operation_id}")
    return found[0]


def _fetch(engine: Engine, section: str, **params: Any) -> list[Operation]:
    with engine.connect() as conn:
        found = execute(conn, "steward/operations.sql", section, returning=dict, **params)
    return [Operation(**row) for row in found]
