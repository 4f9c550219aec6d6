"""Open a page in headless Chromium (Debian's `chromium`, installed by scripts/setup): the DOM after
its scripts ran, what it wrote to the console (uncaught errors included), and a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# Chromium logs every console message, whatever its level, as `INFO:CONSOLE(...)] "text"`.
_CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)")


@dataclass(frozen=True)
class Page:
    dom: str
    console: list[str]


def _chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("no `chromium` on PATH: scripts/setup installs it (scripts/install-chromium)")
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",  # the test machines run as root, where the sandbox cannot start
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def open_page(page: Path, screenshot: Path, *, size: str = "1200,1800") -> Page:
    """The page's DOM and console, and its screenshot written to `screenshot`."""
    url = page.resolve().as_uri()
    dumped = _chromium(screenshot.parent / "chromium-profile", "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr
    shot = _chromium(
        screenshot.parent / "chromium-profile",
        f"--screenshot={screenshot}",
        f"--window-size={size}",
        "--hide-scrollbars",
        url,
    )
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr
    console = [m.group(1) for m in _CONSOLE.finditer(dumped.stderr + shot.stderr)]
    return Page(dom=dumped.stdout, console=console)


def assert_page_works(page: Path, shot: Path) -> str:
    """Open `page`; check that it is self-contained, writes nothing to the console and draws every
    chart (each has marks; the page's script counted them all); return its DOM."""
    text = page.read_text(encoding="utf-8")
    # Self-contained: nothing to load (the one URL is SVG's namespace, which is never fetched).
    assert not re.search(r"\b(src|href)=", text)
    assert set(re.findall(r"https?://[^\s\"']+", text)) == {"http://www.w3.org/2000/svg"}
    opened = open_page(page, shot)
    assert opened.console == []
    charts = re.findall(r'<svg class="chart".*?</svg>', opened.dom, re.S)
    assert re.search(rf'<body data-ready="{len(charts)}"', opened.dom)
    assert all('class="mark"' in chart for chart in charts)
    return opened.dom
