"""Escaping of source text before it reaches a browser, a spreadsheet or a figure.

Every string that comes from source data (building names, commune names, crop labels...)
goes through one of these before output:

* :func:`escape_html` for HTML text and attribute values (report, title block, legends);
* :func:`json_for_script` for data embedded in ``<script type="application/json">``: the
  JSON is valid and cannot close the script element (``<``, ``>``, ``&``, U+2028/9 escaped);
  the map's JavaScript then only puts such text into the DOM with ``textContent``;
* :func:`csv_safe` against formula injection when a CSV is opened in a spreadsheet;
* :func:`mpl_safe` against matplotlib mathtext interpretation of ``$``.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

_JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
}


def escape_html(value: Any) -> str:
    """Text safe inside an HTML element or a quoted attribute.

    ``None`` and NaN give an empty string; quotes are escaped too.

    Examples
    --------
    >>> escape_html('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def json_for_script(obj: Any) -> str:
    """Serialise ``obj`` to JSON that is safe inside an HTML ``<script>`` element.

    ``ensure_ascii`` escapes U+2028/U+2029 and any non-ASCII; ``<``, ``>`` and ``&`` are
    escaped as ``\\u003c`` etc., so ``</script>`` or ``<!--`` in a value cannot end the
    element. NaN is written as ``null``.
    """
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False, default=_default)
    return text.translate(_JSON_SCRIPT_ESCAPES)


def _default(o: Any):
    # numpy scalars and the like
    if hasattr(o, "item"):
        v = o.item()
        if isinstance(v, float) and math.isnan(v):
            return None
        return v
    return str(o)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula.

    Strings starting with ``= + - @`` (or tab/CR) get a leading apostrophe (OWASP
    "CSV injection" advice); numbers and other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def mpl_safe(value: Any) -> str:
    """Text that matplotlib prints literally (``$`` would start mathtext)."""
    return "" if value is None else str(value).replace("$", r"\$")
