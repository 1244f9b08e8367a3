"""The web console in a real browser: Playwright driving Debian's headless Chromium
(/usr/bin/chromium, installed by `make test`; Playwright's own browsers are never downloaded)
against the real app, served by uvicorn on a free port over a published gazetteer of its own
(a steward's decision writes to it). No tile server: the map must draw its points and outline
offline.

Screenshots go to out/test-artifacts/console/ (NSAI_TEST_ARTIFACTS overrides out/test-artifacts).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

from api.app import create_app
from nsai import api_keys
from nsai.cli import main
from nsai.config import Settings
from nsai.db.engine import make_engine
from tests.conftest import REPO, Server
from tests.published import Published, publish
from tests.served import served

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("NSAI_TEST_ARTIFACTS", REPO / "out" / "test-artifacts")) / "console"
STEWARD = "e2e-steward"


@dataclass(frozen=True)
class Console:
    url: str
    key: str
    gazetteer: Published

    def api(self, path: str, **params: Any) -> Any:
        response = httpx.get(
            self.url + path.lstrip("/"), params=params, headers={"X-API-Key": self.key}
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def gazetteer(
    server: Server, template_db: str, region: Path, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    return publish(server, template_db, region, tmp_path_factory.mktemp("console"))


@contextmanager
def _served(gazetteer: Published, home: Path) -> Iterator[Console]:
    """The real app over `gazetteer`, served by uvicorn on a free port, with a steward's key."""
    settings = Settings(
        database_url=gazetteer.url,
        home=home / ".nsai",
        rate_limit_per_key=0,
        rate_limit_anonymous=0,
    )
    engine = make_engine(settings)
    try:
        key = api_keys.create(engine, STEWARD, ("read", "steward")).key
    finally:
        engine.dispose()
    with served(create_app(settings)) as (host, port):
        yield Console(f"http://{host}:{port}/", key, gazetteer)


@pytest.fixture(scope="module")
def console(gazetteer: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with _served(gazetteer, tmp_path_factory.mktemp("console-api")) as served:
        yield served


@pytest.fixture
def own_console(
    server: Server, template_db: str, region: Path, tmp_path: Path
) -> Iterator[Console]:
    """A console over a gazetteer of its own, as the pipeline published it: no other test's
    decisions in it."""
    (tmp_path / "gazetteer").mkdir()
    with _served(publish(server, template_db, region, tmp_path / "gazetteer"), tmp_path) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (`make test` does it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: _note(message, errors))
    expect.set_options(timeout=15_000)
    yield tab
    context.close()
    assert errors == [], errors


# ReDoc's sidebar always shows its maker's logo from their CDN: the content security policy
# refuses it, as it must, and the browser says so.
REFUSED_ON_PURPOSE = ("'https://cdn.redoc.ly/redoc/logo-mini.svg' violates",)


def _note(message: ConsoleMessage, errors: list[str]) -> None:
    # The browser logs each 4xx it fetched; the console shows those as problems on purpose.
    text = message.text
    if (
        message.type == "error"
        and "Failed to load resource" not in text
        and not any(refused in text for refused in REFUSED_ON_PURPOSE)
    ):
        errors.append(text)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def _sign_in(page: Page, console: Console) -> None:
    page.goto(console.url)
    expect(page.get_by_role("heading", name="API key")).to_be_visible()
    page.get_by_label("API key").fill(console.key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#caller-name")).to_have_text(STEWARD)


def test_log_in_search_and_open_an_address(page: Page, console: Console) -> None:
    merged, uprn = console.gazetteer.query(
        "SELECT uprn, successor_uprn FROM national_address WHERE status = 'merged' LIMIT 1"
    )[0]
    record = console.api(f"v1/addresses/{uprn}")
    line: str = record["single_line"]

    # Without a key the console asks for one; a wrong key shows the 401 problem's detail.
    page.goto(console.url)
    expect(page.get_by_role("heading", name="API key")).to_be_visible()
    wrong = "nsai_00000000_" + "A" * 43
    detail = httpx.get(console.url + "v1/whoami", headers={"X-API-Key": wrong}).json()["detail"]
    page.get_by_label("API key").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(detail)
    _shot(page, "01-login-refused")

    page.get_by_label("API key").fill(console.key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#caller-name")).to_have_text(STEWARD)
    expect(page.locator("#caller-scopes")).to_have_text("read, steward")
    expect(page.locator("#who")).to_contain_text(f"Signed in as {STEWARD}")
    _shot(page, "02-signed-in")

    # Typeahead: suggestions as typed, the API's own.
    page.get_by_role("navigation").get_by_role("link", name="Search").click()
    box = page.get_by_role("combobox", name="Address, postcode or UPRN")
    typed = " ".join(line.split(",")[0].split()[:2])  # "12 CHURCH": a number and a word
    with page.expect_response(re.compile(r"/v1/autocomplete\?")):
        box.press_sequentially(typed.lower(), delay=40)
    suggested = console.api("v1/autocomplete", q=typed.lower(), limit=10)["data"]
    wanted = [s["single_line"] for s in suggested]
    options = page.get_by_role("option")
    expect(options).to_have_text(wanted)
    expect(box).to_have_attribute("aria-expanded", "true")
    _shot(page, "03-typeahead")

    # Enter searches; the record is among the ranked results.
    box.fill("")
    box.press_sequentially(line, delay=5)
    box.press("Enter")
    results = page.locator("ol.results li")
    expect(results.first).to_be_visible()
    assert "#/search?q=" in page.url
    hits = console.api("v1/search", q=line, limit=20)["data"]
    expect(results).to_have_count(len(hits))
    _shot(page, "04-results")

    # The address page: details, sources, history and the map, offline.
    page.locator(f'ol.results a[href="#/address/{uprn}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(line)
    details = page.locator("#details")
    expect(details).to_contain_text(str(uprn))
    expect(details).to_contain_text(record["postcode"])
    sources = console.api(f"v1/addresses/{uprn}/sources")["data"]
    assert len(sources) >= 2
    cards = page.locator("#sources article.card")
    expect(cards).to_have_count(len(sources))
    for source in sources:
        expect(page.locator("#sources")).to_contain_text(source["source_ref"])
    history = console.api(f"v1/addresses/{uprn}/history")["data"]
    events = page.locator("#history ol.history > li")
    expect(events).to_have_count(len(history))
    expect(page.locator("#history")).to_contain_text("merged")
    expect(page.locator("#map path.nsai-point-main")).to_have_count(1)
    located = [s for s in sources if s["location"]]
    expect(page.locator("#map path.nsai-point-source")).to_have_count(len(located))
    expect(page.locator("#map path.nsai-outline")).to_have_count(1)
    assert page.locator("#map path.nsai-point-context").count() >= 1  # the postcode's others
    assert page.locator("#map img.leaflet-tile").count() == 0  # no tile server: a plain map
    page.locator("#sources details summary").first.click()
    expect(page.locator("#sources table.explanation").first).to_be_visible()
    _shot(page, "05-address")

    # A merged-away UPRN opens the record it resolves to.
    page.goto(f"{console.url}#/address/{merged}")
    expect(page.get_by_role("status")).to_contain_text(f"UPRN {merged} resolves to UPRN {uprn}")
    expect(page.get_by_role("heading", level=1)).to_have_text(line)
    assert page.url.endswith(f"#/address/{uprn}")

    # Signing out forgets the key.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="API key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('nsai.apiKey')") is None


# What a council, a list or a steward may write, in the fields the map's tooltips show.
HOSTILE_STREET = '<img src=x onerror="window.__xss=1">'
HOSTILE_REF = '<meta http-equiv="refresh" content="0;url=about:blank">'


@pytest.fixture
def hostile_console(
    server: Server, template_db: str, region: Path, tmp_path: Path
) -> Iterator[Console]:
    """A console over a gazetteer holding a list record whose street and id are markup, three
    metres from a published address (so that others of its postcode are drawn beside it)."""
    (tmp_path / "gazetteer").mkdir()
    gazetteer = publish(server, template_db, region, tmp_path / "gazetteer")
    x, y, postcode = gazetteer.query(
        "SELECT ST_X(geom), ST_Y(geom), postcode FROM national_address "
        "WHERE status = 'active' AND geom IS NOT NULL AND postcode IS NOT NULL "
        "ORDER BY uprn LIMIT 1"
    )[0]
    listed = tmp_path / "hostile.csv"
    with listed.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "pao", "street", "postcode", "x", "y"])
        writer.writerow([HOSTILE_REF, "7", HOSTILE_STREET, postcode, x + 3, y])
    assert main(["load", str(listed), "--source", "hostile", "--id-column", "ref",
                 "--pao-column", "pao", "--street-column", "street",
                 "--postcode-column", "postcode", "--x-column", "x", "--y-column", "y",
                 "--crs", "EPSG:27700"], gazetteer.environ) == 0  # fmt: skip
    assert main(["reconcile"], gazetteer.environ) == 0
    with _served(gazetteer, tmp_path) as served:
        yield served


def test_council_text_on_the_map_is_never_markup(page: Page, hostile_console: Console) -> None:
    console = hostile_console
    (uprn,) = console.gazetteer.query(
        "SELECT l.uprn FROM address_link l JOIN source_record r USING (record_id) "
        "JOIN source s USING (source_id) WHERE s.name = 'hostile'"
    )[0]
    line = console.api(f"v1/addresses/{uprn}")["single_line"]
    assert "<IMG" in line.upper()
    _sign_in(page, console)
    page.goto(f"{console.url}#/address/{uprn}")
    expect(page.get_by_role("heading", level=1)).to_have_text(line)
    expect(page.locator("#map path.nsai-point-main")).to_have_count(1)
    points = page.locator("#map path.nsai-point")
    assert points.count() >= 3  # the record, its source, and others of its postcode
    tips = page.locator("#map .leaflet-tooltip")
    shown: list[str] = []
    for n in range(points.count()):
        # As a pointer entering it would, whichever point is drawn over it.
        points.nth(n).dispatch_event("mouseover")
        expect(tips).to_have_count(1)
        shown.append(tips.inner_text())
        points.nth(n).dispatch_event("mouseout")
        expect(tips).to_have_count(0)
    _shot(page, "hostile-tooltips")
    # Shown as the text it is, never made into elements: no image, no refresh.
    assert line in shown, shown
    assert f"hostile {HOSTILE_REF}" in shown, shown
    assert page.locator("#map img, #map meta, head meta[http-equiv]").count() == 0
    assert page.evaluate("window.__xss") is None
    page.wait_for_timeout(500)  # a refresh to about:blank would have left the page by now
    assert page.url.endswith(f"#/address/{uprn}")


def test_accept_a_review_item_then_run_a_job(page: Page, console: Console) -> None:
    _sign_in(page, console)

    page.get_by_role("navigation").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    queue = console.api("v1/review", status="open")
    expect(page.locator("#review-counts")).to_contain_text(f"Open: {queue['counts']['open']}")
    rows = page.locator("table.queue tbody tr[data-review-id]")
    expect(rows.first).to_be_visible()
    _shot(page, "06-review-queue")

    review_id = int(rows.first.get_attribute("data-review-id") or 0)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review item #{review_id}")
    item = console.api(f"v1/review/{review_id}")
    pair = page.locator("#pair")
    for side in ("record_a", "record_b"):
        expect(pair).to_contain_text(item[side]["source_ref"])
    expect(page.locator("table.explanation tbody tr")).to_have_count(len(item["explanation"]))
    expect(page.locator("#map path.nsai-point-a")).to_have_count(1)
    expect(page.locator("#map path.nsai-point-b")).to_have_count(1)
    expect(page.locator("#map path.nsai-outline")).to_have_count(1)
    _shot(page, "07-review-item")

    page.get_by_label("Reason (optional)").fill("same property: a street slip")
    page.get_by_role("button", name="Accept: one property").click()
    expect(page.locator("#decision-status")).to_contain_text("Decision recorded: accept")
    expect(page.locator("#review-status")).to_have_text("accepted")
    expect(page.get_by_role("button", name="Accept: one property")).to_be_disabled()
    _shot(page, "08-review-accepted")

    # At once: the two records are one national record, and the change is the steward's.
    decided = console.api(f"v1/review/{review_id}")
    assert decided["status"] == "accepted"
    uprn = decided["record_a"]["uprn"]
    assert decided["record_b"]["uprn"] == uprn
    page.goto(f"{console.url}#/address/{uprn}")
    expect(page.locator("#sources")).to_contain_text(decided["record_b"]["source_ref"])
    expect(page.locator("#sources")).to_contain_text(decided["record_a"]["source_ref"])
    expect(page.locator("#history")).to_contain_text(STEWARD)
    _shot(page, "09-address-after-accept")

    # The jobs page: a job started from it is polled until it ends, and keeps the decision.
    page.get_by_role("navigation").get_by_role("link", name="Jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reconciliation jobs")
    runs = console.api("v1/jobs")["data"]
    expect(page.locator("table.jobs tbody tr[data-run-id]")).to_have_count(len(runs))
    page.get_by_label("Workers").fill("1")
    page.get_by_role("button", name="Start a job").click()
    expect(page.locator("#jobs-status")).to_contain_text("started")
    run = max(r["run_id"] for r in console.api("v1/jobs")["data"])
    row = page.locator(f'table.jobs tr[data-run-id="{run}"]')
    expect(row).to_be_visible()
    _shot(page, "10-job-started")
    expect(row.locator(".badge")).to_have_text("done", timeout=120_000)  # polled, not reloaded
    _shot(page, "11-job-done")
    after = console.api(f"v1/review/{review_id}")
    assert after["record_a"]["uprn"] == after["record_b"]["uprn"]


def _pair_in_two_records(console: Console) -> tuple[int, int, list[dict[str, Any]]]:
    """Two national records the matcher was unsure are one property (an open review item, so
    nothing forbids the merge), and the source records of the second."""
    for listed in console.api("v1/review", status="open", limit=100)["data"]:
        item = console.api(f"v1/review/{listed['review_id']}")
        a, b = item["record_a"]["uprn"], item["record_b"]["uprn"]
        if a and b and a != b:
            return a, b, console.api(f"v1/addresses/{b}/sources")["data"]
    raise AssertionError("no open review item joins two national records")


def _operation(page: Page, kind: str) -> Locator:
    badge = page.locator(".badge", has_text=re.compile(f"^{kind}$"))
    return page.locator("#operations li").filter(has=badge).first


def test_a_steward_merges_splits_undoes_and_retires(page: Page, own_console: Console) -> None:
    console = own_console
    a, b, b_sources = _pair_in_two_records(console)
    _sign_in(page, console)
    page.goto(f"{console.url}#/address/{a}")
    panel = page.locator("#steward")
    expect(panel.get_by_role("heading", name="Steward")).to_be_visible()

    # Merge B into A. Without a reason nothing is sent, and the steward is told why.
    panel.get_by_label("Merge UPRN").fill(str(b))
    panel.get_by_role("button", name="Merge into this record").click()
    expect(page.locator("#steward-status")).to_contain_text("Give a reason")
    panel.get_by_label("Reason").fill("one property: the list spells it otherwise")
    panel.get_by_role("button", name="Merge into this record").click()
    expect(page.locator("#done")).to_contain_text(f"Merged: UPRN {b} now resolves to this record")
    moved = httpx.get(
        f"{console.url}v1/addresses/{b}", headers={"X-API-Key": console.key}, follow_redirects=False
    )
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/v1/addresses/{a}"
    for source in b_sources:
        expect(page.locator("#sources")).to_contain_text(source["source_ref"])
    merge = _operation(page, "merge")
    expect(merge).to_contain_text(f"by {STEWARD}")
    expect(merge.locator("time")).to_have_count(1)
    expect(merge).to_contain_text("the list spells it otherwise")
    _shot(page, "12-steward-merged")

    # Split one of B's records out again: a new UPRN of its own.
    leaving = b_sources[0]
    page.locator("#steward").get_by_label("Reason").fill("that record is the house next door")
    page.get_by_role(
        "button", name=f"Split {leaving['source']} {leaving['source_ref']} out to a new record"
    ).click()
    expect(page.locator("#done")).to_contain_text(f"Split: {leaving['source']}")
    found = re.search(r"is now UPRN (\d+)", page.locator("#done").inner_text())
    assert found is not None
    new = int(found.group(1))
    assert new not in (a, b)
    assert [s["source_ref"] for s in console.api(f"v1/addresses/{new}/sources")["data"]] == [
        leaving["source_ref"]
    ]
    _shot(page, "13-steward-split")

    # The merge cannot be undone before the split that followed it: the 409 says so.
    page.locator("#steward").get_by_label("Reason").fill("all a mistake")
    _operation(page, "merge").get_by_role("button", name="Undo").click()
    expect(page.locator("#steward-status [role=alert]")).to_contain_text("undo it first")
    split_id = _operation(page, "split").get_attribute("data-operation-id")
    _operation(page, "split").get_by_role("button", name="Undo").click()
    expect(page.locator("#done")).to_contain_text(f"Operation {split_id} undone")
    page.locator("#steward").get_by_label("Reason").fill("all a mistake")
    merge_id = _operation(page, "merge").get_attribute("data-operation-id")
    _operation(page, "merge").get_by_role("button", name="Undo").click()
    expect(page.locator("#done")).to_contain_text(f"Operation {merge_id} undone")
    assert console.api(f"v1/addresses/{b}")["uprn"] == b
    assert console.api(f"v1/addresses/{b}")["status"] == "active"
    expect(_operation(page, "merge")).to_contain_text("undone by")
    _shot(page, "14-steward-undone")

    # Retire B: the page says so, and it cannot be retired twice.
    page.goto(f"{console.url}#/address/{b}")
    page.locator("#steward").get_by_label("Reason").fill("demolished")
    page.get_by_role("button", name="Retire this record").click()
    expect(page.locator("#done")).to_contain_text("Retired")
    assert console.api(f"v1/addresses/{b}")["status"] == "retired"
    expect(page.get_by_role("button", name="Retire this record")).to_be_disabled()
    _shot(page, "15-steward-retired")


def test_the_api_docs_work_offline(page: Page, console: Console) -> None:
    # Anything asked of another origin fails, as on a machine with no internet; the page
    # fixture fails the test on any console error (a refused script or style among them).
    asked: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(console.url):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    operations = sum(len(methods) for methods in console.api("openapi.json")["paths"].values())
    page.goto(console.url + "docs")
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    _shot(page, "docs-swagger")
    page.goto(console.url + "redoc")
    expect(page.get_by_role("heading", level=1).first).to_contain_text("NSAI")
    expect(page.get_by_text("/v1/addresses/{uprn}/sources").first).to_be_attached()
    _shot(page, "docs-redoc")
    assert asked == []


def test_a_reader_sees_no_steward_panel(page: Page, console: Console) -> None:
    engine = make_engine(Settings(database_url=console.gazetteer.url))
    try:
        reader = api_keys.create(engine, "e2e-reader", ("read",)).key
    finally:
        engine.dispose()
    (uprn,) = console.gazetteer.query(
        "SELECT uprn FROM national_address WHERE status = 'active' ORDER BY uprn LIMIT 1"
    )[0]
    page.goto(console.url)
    page.get_by_label("API key").fill(reader)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#caller-name")).to_have_text("e2e-reader")
    page.goto(f"{console.url}#/address/{uprn}")
    expect(page.locator("#details")).to_contain_text(str(uprn))
    expect(page.locator("#sources article.card").first).to_be_visible()
    expect(page.locator("#steward")).to_have_count(0)
    expect(page.get_by_role("button", name="Split out")).to_have_count(0)
