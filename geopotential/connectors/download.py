"""Robust HTTP download of one file into the cache.

What :func:`download` does, in order:

- streams the response into ``<dest>.part`` (never into ``dest`` itself), with a
  ``tqdm.auto`` progress bar when ``show_progress`` is set;
- retries with exponential backoff on connection errors, time-outs, HTTP 429 and 5xx
  (``Retry-After`` is honoured when it is a number of seconds);
- detects a truncated body (fewer bytes than ``Content-Length`` / ``Content-Range``)
  and resumes it with an HTTP ``Range`` request on the next attempt; ``If-Range`` carries
  the ETag (or Last-Modified) of the partial file so that a file changed on the server
  is downloaded again from the start rather than spliced;
- checks the SHA-256 when the caller knows it, and the content with a ``validate``
  callback (e.g. a WFS that answers ``200`` with an XML exception instead of GeoJSON);
- revalidates a cached file with ``If-None-Match`` (``304 Not Modified`` keeps it);
- moves the complete file into place atomically (``os.replace``) and records it in
  the cache manifest (URL, size, sha256, ETag, Last-Modified, time).

A ``404`` (or any other 4xx) and a host that stays unreachable raise
:class:`~geopotential.exceptions.FetchError` naming the source, the URL and the cache path.
Responses are requested with ``Accept-Encoding: identity`` so that byte counts and
ranges refer to the stored bytes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from tqdm.auto import tqdm

from geopotential import __version__
from geopotential.connectors.cache import Cache, sha256_file, utc_now
from geopotential.exceptions import FetchError, GeopotentialError

logger = logging.getLogger(__name__)

USER_AGENT = f"geopotential/{__version__} (+https://github.com/geopotential)"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")

Validator = Callable[[Path], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a download.

    Attributes
    ----------
    max_attempts : int
        Attempts in all, the first included [-].
    backoff_s : float
        Wait before the second attempt [s]; doubled (``backoff_factor``) at each retry.
    backoff_factor : float
        Growth of the wait between attempts [-].
    max_backoff_s : float
        Cap on one wait [s].
    connect_timeout_s : float
        Time allowed to open the connection [s].
    read_timeout_s : float
        Time allowed between two received bytes [s].
    """

    max_attempts: int = 5
    backoff_s: float = 1.0
    backoff_factor: float = 2.0
    max_backoff_s: float = 60.0
    connect_timeout_s: float = 15.0
    read_timeout_s: float = 300.0

    def delay(self, attempt: int) -> float:
        """Wait after failed attempt number ``attempt`` (1-based) [s]."""
        return min(self.max_backoff_s, self.backoff_s * self.backoff_factor ** (attempt - 1))


@dataclass
class DownloadResult:
    """Outcome of one file download.

    ``status`` is ``"downloaded"``, ``"not_modified"`` (304 on revalidation) or
    ``"cached"`` (served from the cache without any request).
    """

    path: Path
    url: str
    status: str
    size_bytes: int
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0
    resumed: bool = False
    history: list[str] = field(default_factory=list)


class _Retry(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(self, reason: str, wait_s: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


def full_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The URL with its query string, as requests sends it."""
    return requests.Request("GET", url, params=dict(params or {})).prepare().url or url


def _part_paths(dest: Path) -> tuple[Path, Path]:
    return dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")


def _read_meta(meta_path: Path) -> dict[str, Any]:
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def _server_message(resp: requests.Response, limit: int = 160) -> str:
    try:
        text = resp.text.strip().replace("\n", " ")
    except Exception:  # noqa: BLE001 - a body we cannot decode adds nothing
        return ""
    return f": {text[:limit]}" if text else ""


def _attempt(
    session: requests.Session,
    url: str,
    params: Mapping[str, Any] | None,
    dest: Path,
    *,
    source: str,
    etag: str | None,
    last_modified: str | None,
    headers: Mapping[str, str] | None,
    policy: RetryPolicy,
    show_progress: bool,
    history: list[str],
) -> tuple[str, dict[str, Any]]:
    """One HTTP exchange; returns ``("complete"|"not_modified", info)`` or raises."""
    part, meta_path = _part_paths(dest)
    target = full_url(url, params)
    offset = part.stat().st_size if part.exists() else 0
    meta = _read_meta(meta_path) if offset else {}
    if offset and meta.get("url") != target:
        part.unlink(missing_ok=True)
        offset = 0
    send = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    if offset:
        send["Range"] = f"bytes={offset}-"
        validator = meta.get("etag") or meta.get("last_modified")
        if validator:
            send["If-Range"] = validator
    elif etag and dest.exists():
        send["If-None-Match"] = etag
    elif last_modified and dest.exists():
        send["If-Modified-Since"] = last_modified

    resp = session.get(
        url,
        params=params,
        headers=send,
        stream=True,
        timeout=(policy.connect_timeout_s, policy.read_timeout_s),
    )
    with resp:
        status = resp.status_code
        history.append(f"{status}" + (f" range={offset}-" if offset else ""))
        if status == 304:
            return "not_modified", {"etag": resp.headers.get("ETag", etag)}
        if status == 416:
            part.unlink(missing_ok=True)
            raise _Retry("HTTP 416 range not satisfiable; restarting from zero", wait_s=0.0)
        if status in RETRY_STATUSES or status >= 500:
            raise _Retry(f"HTTP {status} {resp.reason}", wait_s=_retry_after(resp))
        if status >= 400:
            raise FetchError(
                f"{source}: HTTP {status} {resp.reason} for {target}{_server_message(resp)} "
                f"(cache path {dest})"
            )
        total: int | None
        if status == 206:
            match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != offset:
                part.unlink(missing_ok=True)
                raise _Retry("inconsistent Content-Range; restarting from zero", wait_s=0.0)
            total = int(match.group(3)) if match.group(3) != "*" else None
            mode = "ab"
        else:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            offset, mode = 0, "wb"
        info = {
            "url": target,
            "etag": resp.headers.get("ETag"),
            "last_modified": resp.headers.get("Last-Modified"),
            "content_type": resp.headers.get("Content-Type"),
            "total": total,
            "resumed": status == 206,
        }
        part.parent.mkdir(parents=True, exist_ok=True)
        meta_path.write_text(json.dumps(info), encoding="utf-8")
        with (
            open(part, mode) as fh,
            tqdm(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=f"{source}: {dest.name}",
                disable=not show_progress,
                leave=False,
            ) as bar,
        ):
            for chunk in resp.iter_content(chunk_size=1 << 14):
                fh.write(chunk)
                bar.update(len(chunk))
    size = part.stat().st_size
    if total is not None and size != total:
        if size > total:
            part.unlink(missing_ok=True)
        raise _Retry(f"truncated download: {size} of {total} bytes")
    return "complete", info


def download(
    url: str,
    dest: str | os.PathLike,
    *,
    params: Mapping[str, Any] | None = None,
    source: str = "download",
    cache: Cache | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    expected_sha256: str | None = None,
    validate: Validator | None = None,
    headers: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    show_progress: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> DownloadResult:
    """Download ``url`` into ``dest`` with retries, resume, checks and an atomic move.

    Parameters
    ----------
    url, params
        Address and query parameters.
    dest
        Final path of the file; ``dest.part`` holds the bytes while they arrive.
    source
        Source name, used in messages and in the manifest.
    cache
        When given, the file is recorded in its manifest.
    etag
        ETag of the copy already at ``dest``: sent as ``If-None-Match`` (revalidation).
    last_modified
        ``Last-Modified`` of that copy, sent as ``If-Modified-Since`` when there is no ETag.
    expected_sha256
        Hex digest the file must have; a mismatch is retried, then raises.
    validate
        Called with the complete ``.part`` path before the move; raises to reject it.
    retry
        Retry policy (defaults: 5 attempts, 1 s doubling backoff).
    show_progress
        Show a ``tqdm.auto`` byte progress bar.
    sleep
        Waiting function (tests may pass a no-op).

    Returns
    -------
    DownloadResult

    Raises
    ------
    FetchError
        4xx response, host unreachable or 5xx after all attempts, checksum mismatch,
        content rejected by ``validate``.
    """
    dest = Path(dest)
    policy = retry or RetryPolicy()
    own_session = session is None
    session = session or requests.Session()
    target = full_url(url, params)
    part, meta_path = _part_paths(dest)
    history: list[str] = []
    last_error = "no attempt made"
    try:
        for attempt in range(1, policy.max_attempts + 1):
            wait: float | None = None
            try:
                outcome, info = _attempt(
                    session, url, params, dest, source=source, etag=etag,
                    last_modified=last_modified, headers=headers,
                    policy=policy, show_progress=show_progress, history=history,
                )
            except _Retry as exc:
                last_error, wait = exc.reason, exc.wait_s
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                last_error = _describe_network_error(exc)
                history.append(f"error: {last_error}")
            except requests.RequestException as exc:  # invalid URL, too many redirects...
                raise FetchError(
                    f"{source}: cannot request {target}: {exc} (cache path {dest})"
                ) from None
            else:
                if outcome == "not_modified":
                    size = dest.stat().st_size
                    result = DownloadResult(
                        dest, target, "not_modified", size, etag=info.get("etag"),
                        attempts=attempt, history=history,
                    )
                    if cache is not None:
                        cache.record_file(dest, source=source, url=target, checked_at=utc_now())
                    logger.info("%s: %s not modified (ETag %s)", source, dest.name, etag)
                    return result
                digest = sha256_file(part)
                if expected_sha256 and digest.lower() != expected_sha256.lower():
                    part.unlink(missing_ok=True)
                    last_error = f"sha256 mismatch (got {digest}, expected {expected_sha256})"
                    history.append(last_error)
                else:
                    return _finish(
                        dest, part, meta_path, info, digest, source=source, cache=cache,
                        validate=validate, attempts=attempt, history=history,
                    )
            if attempt < policy.max_attempts:
                delay = policy.delay(attempt) if wait is None else min(wait, policy.max_backoff_s)
                logger.warning(
                    "%s: attempt %d/%d for %s failed (%s); retrying in %.1f s",
                    source, attempt, policy.max_attempts, target, last_error, delay,
                )
                if delay > 0:
                    sleep(delay)
        raise FetchError(
            f"{source}: could not download {target} after {policy.max_attempts} attempts "
            f"({last_error}) (cache path {dest})"
        )
    finally:
        if own_session:
            session.close()


def _finish(
    dest: Path,
    part: Path,
    meta_path: Path,
    info: dict[str, Any],
    digest: str,
    *,
    source: str,
    cache: Cache | None,
    validate: Validator | None,
    attempts: int,
    history: list[str],
) -> DownloadResult:
    if validate is not None:
        try:
            validate(part)
        except GeopotentialError as exc:
            part.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            raise FetchError(
                f"{source}: the server's answer for {info['url']} is not usable: {exc} "
                f"(cache path {dest})"
            ) from None
    os.replace(part, dest)
    meta_path.unlink(missing_ok=True)
    size = dest.stat().st_size
    result = DownloadResult(
        dest, info["url"], "downloaded", size, sha256=digest, etag=info.get("etag"),
        last_modified=info.get("last_modified"), attempts=attempts,
        resumed=bool(info.get("resumed")), history=history,
    )
    if cache is not None:
        now = utc_now()
        cache.record_file(
            dest, source=source, url=info["url"], size_bytes=size, sha256=digest,
            etag=info.get("etag"), last_modified=info.get("last_modified"),
            content_type=info.get("content_type"), fetched_at=now, checked_at=now,
        )
    logger.info("%s: fetched %s (%d bytes, %d attempt(s))", source, dest.name, size, attempts)
    return result


def _describe_network_error(exc: requests.RequestException) -> str:
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return f"time-out ({text[:120]})"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"connection broken during transfer ({text[:120]})"
    return f"host unreachable ({text[:160]})"


def cached_download(
    cache: Cache,
    dest: Path,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    source: str,
    offline: bool = False,
    refresh: bool = False,
    **kwargs: Any,
) -> DownloadResult:
    """Serve ``dest`` from the cache when intact, else download it.

    Parameters
    ----------
    offline
        Never touch the network: a missing file raises :class:`FetchError`.
    refresh
        Revalidate a cached file with its ETag (``If-None-Match``) instead of trusting it.
    kwargs
        Passed to :func:`download`.
    """
    dest = Path(dest)
    target = full_url(url, params)
    entry = cache.file_entry(dest) if dest.exists() else None
    intact = entry is not None and cache.is_intact(dest)
    if intact and (offline or not refresh):
        return DownloadResult(
            dest, entry.get("url", target), "cached", dest.stat().st_size,
            sha256=entry.get("sha256"), etag=entry.get("etag"),
            last_modified=entry.get("last_modified"),
        )
    if offline:
        raise FetchError(
            f"{source}: offline mode and {dest.name} is not in the cache "
            f"(cache path {dest}); run `geopotential fetch` with network access first"
        )
    etag = entry.get("etag") if intact and entry else None
    last_modified = entry.get("last_modified") if intact and entry else None
    return download(url, dest, params=params, source=source, cache=cache, etag=etag,
                    last_modified=last_modified, **kwargs)
