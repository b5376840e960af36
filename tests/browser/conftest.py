"""A live server and Chromium at phone size, for the browser tests.

Chromium comes from the system (Debian's ``chromium``); Playwright drives it. Without
it the tests are skipped, unless ``REMIT_REQUIRE_BROWSER=1`` (CI sets it), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.site_data import market_app

CHROMIUM = os.environ.get("REMIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path(os.environ.get("REMIT_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))


@pytest.fixture(scope="module")
def browser():
    """Chromium, for one test module: Playwright's event loop must end with it, or the
    asyncio tests that run after would find a loop already running."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("REMIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(database_url, tmp_path):
    """The site on a real HTTP port, with the small RUS-TJK market of the site tests."""
    app = market_app(database_url, tmp_path)  # a file database: requests run on threads
    engine = app.extensions["remit.engine"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    engine.dispose()


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def phone(browser, request):
    """A fresh phone-sized page, with JavaScript on and, in a second run, off."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=request.param,
                                  locale="en-US")
    page = context.new_page()
    yield page
    context.close()
