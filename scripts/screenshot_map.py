"""Screenshot a run's map.html in headless Chromium (for the README and visual checks).

Usage: python scripts/screenshot_map.py outputs/demo/map.html docs/img/map.png [zoom]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("GEOPOTENTIAL_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main(html: str, png: str, zoom: int | None = None) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(Path(html).resolve().as_uri())
        page.wait_for_timeout(1500)
        if zoom:
            page.evaluate(
                """(z) => { const k = Object.keys(window).find(n => n.startsWith('map_'));
                             const m = window[k]; m.setZoom(z); }""",
                zoom,
            )
            page.wait_for_timeout(2500)
        page.screenshot(path=png)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
