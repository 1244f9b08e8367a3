"""The web console's files at `/` (the browser test is tests/e2e/test_console.py): served beside
the API without changing what the API answers."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from fastapi import APIRouter
from fastapi.testclient import TestClient

from api.app import create_app
from api.console import STATIC, policy
from nsai.config import Settings

PROBLEM = "application/problem+json"


def test_the_console_is_served_at_the_root(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/main.js">' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert client.get("/index.html").status_code == 200
    script = client.get("/js/main.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    leaflet = client.get("/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200
    assert "Leaflet 1.9.4" in leaflet.text[:200]
    assert client.get("/vendor/leaflet/images/marker-icon.png").status_code == 200
    assert client.get("/console/config.json").json() == {
        "tile_url": None,
        "tile_attribution": None,
    }


def test_the_console_never_names_a_cdn() -> None:
    for path in STATIC.rglob("*"):
        if path.suffix in (".html", ".js", ".css") and "vendor" not in path.parts:
            text = path.read_text()
            assert "http://" not in text, path
            assert "https://" not in text, path


def test_the_api_answers_as_before(client: TestClient) -> None:
    for method, path, status in [
        ("GET", "/v1/nothing-here", 404),
        ("POST", "/v1/nothing-here", 404),
        ("GET", "/v1", 404),
        ("GET", "/no-such-file.js", 404),
        ("POST", "/", 404),
        ("DELETE", "/index.html", 404),
    ]:
        response = client.request(method, path)
        assert response.status_code == status, (method, path)
        assert response.headers["content-type"] == PROBLEM, (method, path)
    wrong_method = client.put("/v1/addresses/1")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "GET"
    assert wrong_method.headers["content-type"] == PROBLEM
    assert client.get("/docs").status_code == 200
    assert client.get("/healthz").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/addresses/{uprn}/sources" in paths
    assert not [p for p in paths if p == "/" or p.startswith("/console")]


def test_the_docs_come_from_this_server_under_the_consoles_policy(client: TestClient) -> None:
    for page, build in (("/docs", "docs/vendor/swagger-ui-bundle.js"),
                        ("/redoc", "docs/vendor/redoc.standalone.js")):  # fmt: skip
        response = client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == policy(None)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        # Nothing fetched from elsewhere, nothing run inline.
        sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
        assert build in sources
        assert not [s for s in sources if "//" in s], sources
        assert not re.search(r"<script>", response.text)
        for source in sources:
            asset = client.get("/" + source)
            assert asset.status_code == 200, source
            assert asset.headers["x-content-type-options"] == "nosniff"
    assert client.get("/docs/vendor/nothing.js").status_code == 404


def test_a_tile_url_is_handed_to_the_console(client: TestClient) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    real = state.settings
    url = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    state.settings = SimpleNamespace(console_tile_url=url, console_tile_attribution="© Example")
    try:
        config = client.get("/console/config.json").json()
    finally:
        state.settings = real
    assert config == {"tile_url": url, "tile_attribution": "© Example"}
    # The page may fetch tiles from that server, and from no other.
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy(url)
    assert "img-src 'self' data:;" in policy(None)
    assert "img-src 'self' data:;" in policy("javascript:alert(1)")


def test_routes_included_later_are_not_shadowed(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path / ".nsai"))
    late = APIRouter()

    @late.get("/late")
    def late_route() -> dict[str, bool]:
        return {"late": True}

    app.include_router(late)
    client = TestClient(app)  # no lifespan: nothing here needs the database
    assert client.get("/late").json() == {"late": True}
    assert client.get("/").headers["content-type"].startswith("text/html")
