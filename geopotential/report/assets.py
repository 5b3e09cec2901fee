"""Offline assets: Leaflet, its plugins and their CSS inlined into the map's HTML.

The files in ``assets/vendor/`` are copied unchanged from npm registry packages (listed
with version, licence and SHA-256 in ``assets/vendor/MANIFEST.json``); nothing is fetched
from a CDN when a map is built. CSS ``url(...)`` references to the packages' images are
replaced by ``data:`` URIs so the HTML is self-contained (basemap tiles aside).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from geopotential.exceptions import ComputationError

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
VENDOR_DIR = ASSETS_DIR / "vendor"

#: Inlined in this order (Leaflet first).
VENDOR_JS = (
    "leaflet.js",
    "Control.FullScreen.js",
    "Control.MiniMap.min.js",
    "leaflet.groupedlayercontrol.min.js",
)
VENDOR_CSS = (
    "leaflet.css",
    "Control.FullScreen.css",
    "Control.MiniMap.min.css",
    "leaflet.groupedlayercontrol.min.css",
)
RUNTIME_JS = "geopotential_map.js"
RUNTIME_CSS = "geopotential_map.css"

_MIME = {".png": "image/png", ".svg": "image/svg+xml"}
_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def manifest() -> list[dict]:
    """Entries of ``assets/vendor/MANIFEST.json`` (npm package, version, licence, sha256)."""
    return json.loads((VENDOR_DIR / "MANIFEST.json").read_text(encoding="utf-8"))["files"]


def verify_vendor() -> None:
    """Check every vendored file against its SHA-256 in the manifest.

    Raises
    ------
    ComputationError
        If a file is missing or differs from the registry copy.
    """
    for entry in manifest():
        p = VENDOR_DIR / entry["file"]
        if not p.is_file():
            raise ComputationError(f"vendored asset missing: {p}")
        if hashlib.sha256(p.read_bytes()).hexdigest() != entry["sha256"]:
            raise ComputationError(f"vendored asset differs from {entry['npm_package']}@{entry['version']}: {p}")


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css_urls(css: str) -> str:
    def repl(m: re.Match) -> str:
        ref = m.group(1)
        if ref.startswith(("data:", "#")):
            return m.group(0)
        cand = VENDOR_DIR / "images" / Path(ref).name
        return f'url("{_data_uri(cand)}")' if cand.is_file() else m.group(0)

    return _URL_RE.sub(repl, css)


def _safe_script(js: str) -> str:
    # a literal "</script" inside inlined code would end the element
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def vendor_block() -> str:
    """HTML ``<style>``/``<script>`` elements of Leaflet and its plugins (offline map)."""
    verify_vendor()
    parts = [
        f"<style>/* {name} */\n{_inline_css_urls((VENDOR_DIR / name).read_text('utf-8'))}\n</style>"
        for name in VENDOR_CSS
    ]
    parts += [
        f"<script>/* {name} */\n{_safe_script((VENDOR_DIR / name).read_text('utf-8'))}\n</script>"
        for name in VENDOR_JS
    ]
    return "\n".join(parts)


def runtime_block() -> str:
    """HTML elements of the geopotential map runtime (JS + CSS), always inlined."""
    css = (ASSETS_DIR / RUNTIME_CSS).read_text("utf-8")
    js = _safe_script((ASSETS_DIR / RUNTIME_JS).read_text("utf-8"))
    return f"<style>\n{css}\n</style>\n<script>\n{js}\n</script>"


#: folium resource names dropped from the page: the map needs none of them
#: (no jQuery, Bootstrap, Font Awesome or awesome-markers icons are used).
UNUSED_FOLIUM_RESOURCES = (
    "jquery",
    "bootstrap",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers",
    "awesome_markers_css",
    "awesome_markers_font_css",
    "awesome_rotate_css",
)


def strip_folium_links(root, drop_all: bool) -> None:
    """Remove the CDN links folium would write for ``root`` and its descendants.

    Parameters
    ----------
    root
        A folium/branca element (the Map).
    drop_all
        Drop every link (offline: the assets are inlined instead); otherwise drop only
        :data:`UNUSED_FOLIUM_RESOURCES`.
    """
    stack = [root]
    while stack:
        e = stack.pop()
        for attr in ("default_js", "default_css"):
            links = getattr(e, attr, None)
            if links is not None:
                kept = [] if drop_all else [(n, u) for n, u in links if n not in UNUSED_FOLIUM_RESOURCES]
                setattr(e, attr, kept)
        stack.extend(getattr(e, "_children", {}).values())
