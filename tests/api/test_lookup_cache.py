"""UPRN lookups kept in memory (api/lookup_cache.py): answered from memory, forgotten as soon
as the database says the gazetteer changed, never kept while it cannot say so."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import create_engine
from starlette.responses import Response
from starlette.types import Receive, Scope

from api import lookup_cache
from api.app import create_app
from api.lookup_cache import LookupCache
from api.v1.addresses import KeptLookups
from nsai import api_keys
from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from nsai.query import lookup
from nsai.query.lookup import Moved
from tests.published import Published

UPRN_SQL = "SELECT min(uprn) FROM national_address WHERE status = 'active'"


def _hits(client: TestClient) -> float:
    text = client.get("/metrics").text
    found = re.search(r'^nsai_lookup_cache_total\{result="hit"\} (\S+)$', text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def _open(published: Published, tmp_path: Path) -> Settings:
    """Settings of an API anyone may read, unlimited."""
    return Settings(
        database_url=published.url,
        home=tmp_path / ".nsai",
        anonymous_reads=True,
        rate_limit_anonymous=0,
    )


def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def renamed(published: Published) -> Iterator[Callable[[int, str], None]]:
    """Renames a record as another process would (committed, outside the API); every record
    renamed is put back afterwards."""
    before: dict[int, str] = {}

    def rename(uprn: int, line: str) -> None:
        with psycopg.connect(published.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT single_line FROM national_address WHERE uprn = %s", (uprn,)
            ).fetchone()
            assert row is not None
            before.setdefault(uprn, row[0])
            conn.execute(
                "UPDATE national_address SET single_line = %s WHERE uprn = %s", (line, uprn)
            )

    yield rename
    with psycopg.connect(published.url, autocommit=True) as conn:
        for uprn, line in before.items():
            conn.execute(
                "UPDATE national_address SET single_line = %s WHERE uprn = %s", (line, uprn)
            )


def _listener(published: Published) -> int | None:
    with psycopg.connect(published.url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE application_name = 'nsai-lookups' AND datname = current_database()"
        ).fetchone()
    return None if row is None else int(row[0])


def _kept(client: TestClient, uprn: int) -> bool:
    """Whether a lookup of `uprn` asked twice is answered from memory the second time."""
    client.get(f"/v1/addresses/{uprn}")
    hits = _hits(client)
    client.get(f"/v1/addresses/{uprn}")
    return _hits(client) == hits + 1


def _line(client: TestClient, uprn: int) -> str:
    return str(client.get(f"/v1/addresses/{uprn}").json()["single_line"])


def test_a_lookup_again_is_answered_from_memory_until_the_record_changes(
    client: TestClient, published: Published, renamed: Callable[[int, str], None]
) -> None:
    uprn = int(published.scalar(UPRN_SQL))
    assert _eventually(lambda: _kept(client, uprn))
    renamed(uprn, "1 CHANGED ELSEWHERE, SOMEWHERE")
    # Another process changed it: the database tells the API, which forgets what it kept.
    assert _eventually(lambda: _line(client, uprn) == "1 CHANGED ELSEWHERE, SOMEWHERE")


def test_a_council_renamed_is_answered_soon(client: TestClient, published: Published) -> None:
    uprn = int(published.scalar(UPRN_SQL))
    code = int(published.scalar(f"SELECT custodian_code FROM national_address WHERE uprn = {uprn}"))
    name = str(published.scalar(f"SELECT name FROM custodian WHERE custodian_code = {code}"))
    assert _eventually(lambda: _kept(client, uprn))
    with psycopg.connect(published.url, autocommit=True) as conn:
        conn.execute(
            "UPDATE custodian SET name = 'RENAMED COUNCIL' WHERE custodian_code = %s", (code,)
        )
        try:
            assert _eventually(
                lambda: (
                    client.get(f"/v1/addresses/{uprn}").json()["custodian"]["name"]
                    == "RENAMED COUNCIL"
                )
            )
        finally:
            conn.execute("UPDATE custodian SET name = %s WHERE custodian_code = %s", (name, code))


def test_after_losing_its_listening_connection_the_api_listens_again(
    client: TestClient, published: Published, renamed: Callable[[int, str], None]
) -> None:
    uprn = int(published.scalar(UPRN_SQL))
    assert _eventually(lambda: _kept(client, uprn))
    pid = _listener(published)
    with psycopg.connect(published.url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert _eventually(lambda: _listener(published) not in (None, pid))
    assert _eventually(lambda: _kept(client, uprn))
    renamed(uprn, "2 CHANGED AFTER A RECONNECT, SOMEWHERE")
    assert _eventually(lambda: _line(client, uprn) == "2 CHANGED AFTER A RECONNECT, SOMEWHERE")


def test_nothing_is_kept_while_a_trigger_that_notifies_is_disabled(
    published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lookup_cache, "CHECK_EVERY", 0.1)
    settings = _open(published, tmp_path)
    uprn = int(published.scalar(UPRN_SQL))
    trigger = "ALTER TABLE uprn_alias {} TRIGGER uprn_alias_notify_lookups"
    with TestClient(create_app(settings)) as client, psycopg.connect(published.url) as conn:
        conn.autocommit = True
        assert _eventually(lambda: _kept(client, uprn))
        conn.execute(trigger.format("DISABLE"))
        try:
            # A change to that table would go unheard: lookups are read every time.
            assert _eventually(lambda: not _kept(client, uprn))
            assert not _kept(client, uprn)
        finally:
            conn.execute(trigger.format("ENABLE"))
        assert _eventually(lambda: _kept(client, uprn))


# --- kept lookups answered ahead of FastAPI (api/v1/addresses.py KeptLookups) ---------------


@pytest.fixture
def answered_ahead(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths KeptLookups answered itself rather than passing them on to FastAPI (the users'
    view is the same either way: that is the point of it, so a test must look inside to know it
    was used)."""
    answered: list[str] = []
    answer = KeptLookups.answer

    async def spy(self: KeptLookups, scope: Scope, receive: Receive) -> Response | None:
        response = await answer(self, scope, receive)
        if response is not None:
            answered.append(scope["path"])
        return response

    monkeypatch.setattr(KeptLookups, "answer", spy)
    return answered


def _requests(client: TestClient, route: str, status: int) -> float:
    labels = f'method="GET",route="{route}",status="{status}"'
    found = re.search(
        rf"^nsai_http_requests_total\{{{re.escape(labels)}\}} (\S+)$",
        client.get("/metrics").text,
        re.MULTILINE,
    )
    return float(found.group(1)) if found else 0.0


def test_a_kept_lookup_is_answered_as_the_documented_route_answers_it(
    client: TestClient, published: Published, answered_ahead: list[str]
) -> None:
    uprn = int(published.scalar(UPRN_SQL))
    path = f"/v1/addresses/{uprn}"
    counted = _requests(client, "/v1/addresses/{uprn}", 200)
    assert _eventually(lambda: _kept(client, uprn))
    answered_ahead.clear()
    before = _requests(client, "/v1/addresses/{uprn}", 200)
    from_memory = client.get(path)
    assert answered_ahead == [path]
    assert _requests(client, "/v1/addresses/{uprn}", 200) == before + 1
    assert from_memory.status_code == 200
    assert from_memory.headers["content-type"] == "application/json"
    assert from_memory.json()["uprn"] == uprn
    # The documented route, asked with a parameter the middleware leaves to it, says the same.
    documented = client.get(path, params={"srs": "27700"})
    assert answered_ahead == [path]
    assert documented.status_code == 200
    assert documented.content == from_memory.content
    assert documented.headers == from_memory.headers
    # Both are counted under the route's template, as every other request is.
    assert _requests(client, "/v1/addresses/{uprn}", 200) >= counted + 4


def test_a_kept_lookup_asked_otherwise_goes_to_the_documented_route(
    client: TestClient, published: Published, answered_ahead: list[str]
) -> None:
    uprn = int(published.scalar(UPRN_SQL))
    path = f"/v1/addresses/{uprn}"
    assert _eventually(lambda: _kept(client, uprn))
    answered_ahead.clear()
    feature = client.get(path, headers={"Accept": "application/geo+json"})
    assert feature.status_code == 200
    assert feature.headers["content-type"] == "application/geo+json"
    assert feature.json()["type"] == "Feature"
    bad = client.get(path, params={"srs": "900913"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "srs"
    padded = client.get(f"/v1/addresses/{uprn:013d}")
    assert padded.status_code == 200  # 13 digits, left to get_address, which reads the number
    assert padded.json()["uprn"] == uprn
    assert client.head(path).status_code == 405  # as get_address answers it: GET only
    unknown = client.get(f"/v1/addresses/{lookup.MAX_UPRN}")  # never published: never kept
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert answered_ahead == []


def test_a_kept_lookup_is_answered_under_the_root_path_too(
    published: Published, tmp_path: Path, answered_ahead: list[str]
) -> None:
    settings = _open(published, tmp_path)
    uprn = int(published.scalar(UPRN_SQL))
    with TestClient(create_app(settings), root_path="/nsai") as client:
        assert _eventually(lambda: _kept(client, uprn))
        answered_ahead.clear()
        response = client.get(f"/nsai/v1/addresses/{uprn}")
        assert response.status_code == 200
        assert response.json()["uprn"] == uprn
        assert answered_ahead == [f"/nsai/v1/addresses/{uprn}"]
        assert client.get(f"/elsewhere/v1/addresses/{uprn}").status_code == 404
        assert answered_ahead == [f"/nsai/v1/addresses/{uprn}"]


def test_a_kept_redirect_is_answered_from_memory_too(
    client: TestClient, published: Published, answered_ahead: list[str]
) -> None:
    alias, national = published.query("SELECT uprn, national_uprn FROM uprn_alias LIMIT 1")[0]
    assert _eventually(lambda: _kept(client, alias))
    answered_ahead.clear()
    response = client.get(f"/v1/addresses/{alias}")
    assert answered_ahead == [f"/v1/addresses/{alias}"]
    assert response.status_code == 301
    assert response.headers["location"] == f"/v1/addresses/{national}"
    assert response.json() == {"uprn": alias, "resolves_to": national}


LIMIT = 30  # the keys' rate limit a minute: room for the filler's tries too


def test_a_kept_lookup_checks_access_as_the_documented_route_does(
    published: Published, tmp_path: Path, answered_ahead: list[str]
) -> None:
    settings = Settings(
        database_url=published.url,
        home=tmp_path / ".nsai",
        anonymous_reads=False,
        rate_limit_per_key=LIMIT,
        rate_limit_anonymous=100,
    )
    engine = create_engine(to_sqlalchemy_url(published.url))
    try:
        filler, reader, matcher = (
            api_keys.create(engine, f"kept-{name}", scopes).key
            for name, scopes in (
                ("filler", ("read",)),
                ("reader", ("read",)),
                ("matcher", ("match",)),
            )
        )
    finally:
        engine.dispose()
    uprn = int(published.scalar(UPRN_SQL))
    path = f"/v1/addresses/{uprn}"

    def kept(client: TestClient) -> bool:
        hits = _hits(client)
        assert client.get(path, headers={"X-API-Key": filler}).status_code == 200
        return _hits(client) > hits

    with TestClient(create_app(settings)) as client:
        assert _eventually(lambda: kept(client))
        answered_ahead.clear()
        refused = {
            "no key": ({}, 401),
            "an empty key": ({"X-API-Key": ""}, 401),
            "a key not sent as Bearer": ({"Authorization": f"Basic {reader}"}, 401),
            "an unknown key": ({"X-API-Key": "nsai_unknown_key"}, 401),
            "a key without read": ({"Authorization": f"Bearer {matcher}"}, 403),
        }
        for why, (headers, status) in refused.items():
            response = client.get(path, headers=headers)
            assert response.status_code == status, why
            assert response.headers["content-type"] == "application/problem+json", why
            if status == 401:
                assert response.headers["www-authenticate"] == 'Bearer realm="nsai"', why
        # The reader's own bucket: LIMIT answers, counting down, then a 429.
        answered = [
            client.get(path, headers={"Authorization": f"Bearer {reader}"})
            for _ in range(LIMIT + 1)
        ]
        assert [r.status_code for r in answered] == [200] * LIMIT + [429]
        remaining = [int(r.headers["ratelimit-remaining"]) for r in answered]
        assert remaining == [*range(LIMIT - 1, -1, -1), 0]
        assert int(answered[-1].headers["retry-after"]) >= 1
        assert answered[0].json()["uprn"] == uprn
        assert len(answered_ahead) == len(refused) + len(answered)


def test_before_the_app_has_started_lookups_go_to_the_documented_route(
    published: Published, tmp_path: Path
) -> None:
    settings = Settings(database_url=published.url, home=tmp_path / ".nsai")
    client = TestClient(create_app(settings))  # not entered: no lifespan, nothing kept
    response = client.get("/v1/addresses/12")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


# --- the cache itself -----------------------------------------------------------------------


def _cache(entries: int) -> LookupCache:
    answers = Counter("answers", "test", ("result",), registry=CollectorRegistry())
    cache = LookupCache(entries, answers)
    cache.listening(True)
    return cache


def _answer(cache: LookupCache, uprn: int, during: Callable[[], None] = lambda: None) -> None:
    """Look `uprn` up through `cache`; a read, when there is one, calls `during` first."""

    async def read() -> Moved:
        during()
        return Moved(uprn, uprn + 1)

    kept = asyncio.run(cache.answer(uprn, read))
    assert kept.successor == uprn + 1


def test_an_answer_read_while_a_change_is_heard_is_not_kept() -> None:
    cache = _cache(10)
    _answer(cache, 1, during=cache.forget)
    assert len(cache) == 0
    _answer(cache, 1)
    assert len(cache) == 1


def test_nothing_is_kept_while_changes_are_not_heard() -> None:
    cache = _cache(10)
    _answer(cache, 1)
    cache.listening(False)
    assert len(cache) == 0
    _answer(cache, 1)
    assert len(cache) == 0


def test_the_least_recently_used_answer_goes_first() -> None:
    cache = _cache(2)
    for uprn in (1, 2, 1, 3):
        _answer(cache, uprn)
    reads: list[int] = []
    for uprn in (1, 3, 2):
        _answer(cache, uprn, during=partial(reads.append, uprn))
    assert reads == [2]  # 2 was dropped when 3 came; 1 and 3 were still kept
