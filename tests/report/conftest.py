"""Fixtures of the report tests: synthetic layers (some hostile) and a headless Chromium.

The browser is Debian's Chromium at /usr/bin/chromium driven by Playwright. If it is
missing the browser tests FAIL (they never skip): CI must install it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geopotential._paths import REPO_DIR
from geopotential.report._synthetic import synthetic_layers

CHROMIUM = os.environ.get("GEOPOTENTIAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_DIR / "outputs" / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def hostile():
    """(layers, meta) with script payloads in names, commune names, crop labels, meta."""
    return synthetic_layers(600, hostile=True, seed=1)


@pytest.fixture(scope="session")
def plain():
    return synthetic_layers(300, hostile=False, seed=2)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProbe:
    """A page with JS errors, dialogs and every non-local request recorded (and blocked)."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        # a flag set by any payload that runs, and alert() trapped as well
        self.page.add_init_script("window.__xss = undefined;")

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:  # no network: everything the map needs must be inlined
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path, ready: str | None = "window.GP && window.GP.ready"):
        self.page.goto(path.resolve().as_uri())
        if ready:
            self.page.wait_for_function(ready, timeout=20000)
        return self.page

    def point_on_screen(self, lat: float, lng: float, zoom: int = 18) -> tuple[float, float]:
        """Centre the map on (lat, lng) at ``zoom``; return that point's page coordinates [px]."""
        return self.page.evaluate(
            """([lat, lng, z]) => { GP.map.setView([lat, lng], z, {animate: false});
                 const p = GP.map.latLngToContainerPoint([lat, lng]);
                 const r = GP.map.getContainer().getBoundingClientRect();
                 return [p.x + r.left, p.y + r.top]; }""",
            [lat, lng, zoom],
        )

    def close(self):
        self.page.close()


@pytest.fixture()
def probe(browser):
    p = PageProbe(browser)
    yield p
    p.close()
