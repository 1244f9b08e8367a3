"""The app over a published gazetteer (tests/published.py), built once per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nsai.config import Settings
from tests.published import Published, published

__all__ = ["published"]


@pytest.fixture(scope="module")
def client(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # Reads open to anyone and unlimited: these tests are about what is read, not who may.
    settings = Settings(
        database_url=published.url,
        home=tmp_path_factory.mktemp("api") / ".nsai",
        anonymous_reads=True,
        rate_limit_anonymous=0,
    )
    with TestClient(create_app(settings), follow_redirects=False) as test_client:
        yield test_client
