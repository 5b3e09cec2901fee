"""Fixtures of the connector tests: a local HTTP server on 127.0.0.1 and a network guard.

The autouse ``network_guard`` fixture refuses every connection and every name lookup
that is not loopback, so the suite provably makes no request outside 127.0.0.1; it
records what it refused so tests can assert on it.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from geopotential.connectors.download import RetryPolicy
from tests._shared import shared_path

FAST = RetryPolicy(max_attempts=3, backoff_s=0.0, connect_timeout_s=5.0, read_timeout_s=10.0)
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def fast():
    """A retry policy without waiting: 3 attempts, no backoff."""
    return FAST


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def network_guard(monkeypatch):
    """Refuse non-loopback connections and DNS lookups; yields the list of refused targets."""
    refused: list[object] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            refused.append(address)
            raise ConnectionRefusedError(f"test network guard: connection to {address!r} refused")

    def connect(self, address):
        _check(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        _check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_loopback(host):
            refused.append(host)
            raise socket.gaierror(socket.EAI_NONAME, f"test network guard: lookup of {host!r} refused")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield refused


@pytest.fixture
def shared():
    """The real datasets folder (tests fail, never skip, when it is missing)."""
    return shared_path()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty cache folder; the URL environment overrides are cleared."""
    import os

    for var in list(os.environ):
        if var.startswith("GEOPOTENTIAL_URL_") or var in ("GEOPOTENTIAL_CACHE_DIR", "GEOPOTENTIAL_RPG_YEAR"):
            monkeypatch.delenv(var, raising=False)
    return tmp_path / "cache"
