"""Problem details (api/problems.py) for the errors FastAPI and Starlette raise themselves (an
unknown route, a wrong method, a parameter that fails validation) and for what the read side
refuses: never their default bodies, never a stack trace. A 422 lists each bad field."""

from __future__ import annotations

import logging
import re
from functools import cache
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from api.database import Busy
from api.problems import MEDIA_TYPE, problem_response
from nsai.errors import first_line
from nsai.query.errors import BadInput, NotFound

_log = logging.getLogger(__name__)
_MESSAGE = 300
_ERRORS = 20
_UNPARSEABLE = "There was an error parsing the body"


class FieldError(BaseModel):
    field: str
    message: str


class ProblemDocument(BaseModel):
    """RFC 9457 problem details; `errors` names each bad field of a 422."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def _inlined(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inlined(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inlined(item, definitions) for item in schema]
    return schema


# The schema of a problem document, whole (no references): FastAPI files a response's `model`
# under application/json, which no error is sent as, so the schema is given under MEDIA_TYPE
# directly.
_PROBLEM_SCHEMA = ProblemDocument.model_json_schema()
_PROBLEM_SCHEMA = _inlined(_PROBLEM_SCHEMA, _PROBLEM_SCHEMA.get("$defs", {}))


def problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAPI response (for `responses=`) answered with a problem document."""
    response: dict[str, Any] = {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}},
    }
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 1},
}

# What every route behind an access check (api/access.py) may answer, whatever it does.
ACCESS_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem(
        "No API key where the route needs one (or reads are not open to anonymous users), or "
        "a key that is not valid.",
        {
            "WWW-Authenticate": {
                "description": 'How to authenticate: `Bearer realm="nsai"`.',
                "required": True,
                "schema": {"type": "string"},
            }
        },
    ),
    403: problem("The API key lacks the scope this route needs."),
    429: problem(
        "The rate limit of the key (or, without a key, of the client address) is exceeded.",
        {"Retry-After": _RETRY_AFTER | {"required": True}},
    ),
    503: problem(
        "The database (or the key store in it) could not answer; try again shortly.",
        {"Retry-After": _RETRY_AFTER},
    ),
}

# What every /v1 route may answer: each is behind an access check (api/app.py).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: problem("Nothing published answers the request."),
    422: problem("A parameter is invalid or beyond a stated limit; `errors` names it."),
    **ACCESS_RESPONSES,
}


def _invalid(errors: list[FieldError]) -> JSONResponse:
    # A body can hold thousands of bad values: the first few say enough.
    shown = errors[:_ERRORS]
    more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
    body = ProblemDocument(
        title=HTTPStatus.UNPROCESSABLE_ENTITY.phrase,
        status=422,
        detail="; ".join(f"{e.field}: {e.message}" for e in shown) + more,
        errors=shown,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=422, media_type=MEDIA_TYPE)


def _field(location: tuple[int | str, ...]) -> str:
    # ("query", "limit") -> "limit"; ("body", "coordinates", 0) -> "body.coordinates.0"
    parts = location[1:] if location and location[0] in ("query", "path", "header") else location
    return ".".join(str(p) for p in parts) or "request"


def _message(error: dict[str, Any]) -> str:
    # Never the input back (it may be anything, of any size): pydantic's one message that quotes
    # it is replaced, and any other is cut short.
    if error["type"] == "union_tag_invalid":
        return f"type must be one of {error['ctx']['expected_tags']}"
    text = str(error["msg"])
    return text if len(text) <= _MESSAGE else text[: _MESSAGE - 1] + "…"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # A body that is not JSON at all is located by character offset: the field is the body.
    return _invalid(
        [
            FieldError(
                field="body" if e["type"] == "json_invalid" else _field(tuple(e["loc"])),
                message=_message(e),
            )
            for e in exc.errors()
        ]
    )


async def _bad_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadInput)
    return _invalid([FieldError(field=exc.field, message=exc.message)])


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(404, str(exc))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The server down, restarting or refusing connections, a pool with no connection free in
    # time, a deadlock: nothing the client sent, and it may try again (a read whose connection
    # was dropped has been tried once more already, see api/database.py). The log says which.
    _log.error("database unavailable: %s", first_line(exc))
    if isinstance(getattr(exc, "orig", exc), psycopg.errors.QueryCanceled):
        # Its statement ran out of time (NSAI_STATEMENT_TIMEOUT_SECONDS): asking again at once
        # would only cost as much again.
        return problem_response(503, "the request took longer than the API allows its queries")
    return problem_response(
        503, "the database could not answer; try again shortly", {"Retry-After": "5"}
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSEABLE:
        # FastAPI's answer to a body json could not read (nested too deep): bad input, a 422.
        return _invalid([FieldError(field="body", message="not JSON that can be read")])
    detail = str(exc.detail)
    if detail == HTTPStatus(exc.status_code).phrase:  # Starlette's own: say what to do instead
        detail = {
            404: "no such route; see /docs",
            405: f"{request.method} is not allowed here; see /docs",
        }.get(exc.status_code, detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed(request) or headers.get("Allow", "")
    return problem_response(exc.status_code, detail, headers)


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@cache
def _template(path: str) -> re.Pattern[str]:
    return re.compile("[^/]+".join(re.escape(part) for part in re.split(r"\{[^}/]*\}", path)))


def _allowed(request: Request) -> str | None:
    """The methods the OpenAPI document gives the resource asked for, as OpenAPI matches a path
    (a concrete path before templated ones). Starlette's 405 names only the methods of the one
    route it tried, where routes of one path with different methods are in different routers
    (scopes); None for a path the document does not have."""
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    path = request.url.path
    if path in paths:
        items = [paths[path]]
    else:
        items = [item for template, item in paths.items() if _template(template).fullmatch(path)]
    methods = sorted({method.upper() for item in items for method in item if method in _METHODS})
    return ", ".join(methods) or None


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(BadInput, _bad_input)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(PoolTimeout, _unavailable)
    app.add_exception_handler(psycopg.OperationalError, _unavailable)
    app.add_exception_handler(Busy, _unavailable)
