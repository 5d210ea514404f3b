"""Headless Chromium for the tests: run it on a page, read back the DOM, the screenshot and
every request the page made (Chromium's own net log).

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). It runs as root here, so
without its sandbox, with a fresh profile each time and its background services off."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
)


def chromium() -> str:
    """The Chromium binary; a test fails (in CI, where ``.ci/run`` installs it) or skips (on
    a machine without it)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run must apt-get install chromium")
    pytest.skip("needs the chromium package (apt-get install chromium)")


def run(url: str, *args: str, netlog: Path | None = None, timeout: float = 90) -> str:
    """Run Chromium on ``url`` with ``args`` (``--dump-dom``, ``--screenshot=F``…); return
    its standard output. With ``netlog``, Chromium writes its net log (JSON) there."""
    profile = tempfile.mkdtemp(prefix="mkdeck-chromium-")
    extra = [f"--log-net-log={netlog}", "--net-log-capture-mode=Default"] if netlog else []
    try:
        proc = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, *args, url],
            capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def page_requests(netlog: Path) -> list[str]:
    """URLs of every non-``file:`` request that a page made, from Chromium's net log.

    A page's requests carry its origin in their network isolation key (``file://`` for a
    page opened from disk); Chromium's own background requests (component updates, account
    checks, which it makes even with its background networking off) carry ``null`` or
    Google's sites, and are not the page's."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data["events"]:
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if "file://" in str(params.get("network_isolation_key", "")) and not str(
                params["url"]).startswith("file:"):
            urls.append(params["url"])
    return urls


def png_rows(path: Path) -> tuple[int, int, int]:
    """``(width, height, distinct rows)`` of a PNG: a blank screenshot (one colour) has one
    distinct row; a page of text has hundreds."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    stride = 1 + width * channels * depth // 8
    rows = {raw[i * stride + 1:(i + 1) * stride] for i in range(height)}
    return width, height, len(rows)
