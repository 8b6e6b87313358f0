"""Check the DOM Chromium built from the demo's status page, and its screenshot.

The matrix has a row per service (users, orders) and a column per environment (staging,
production), each cell the image it runs; production shows the Black Friday lock of step 4
and staging users' rollback lock of step 5; the timeline has a section per environment
with the releases of the week, newest first. The screenshot is a PNG that is not one colour."""

from __future__ import annotations

import struct
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Optional, Tuple


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: List[Tuple[str, Dict[str, Optional[str]]]] = []
        self.rows: Dict[str, List[str]] = {}  # service -> texts of its cells
        self.envs: List[str] = []  # matrix column headers
        self.timeline: Dict[str, List[str]] = {}  # env -> release items' texts
        self.text = ""

    def attr(self, name: str) -> Optional[str]:
        for _, attrs in reversed(self.stack):
            if name in attrs:
                return attrs[name]
        return None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        if tag in ("br", "meta"):
            return
        self.stack.append((tag, a))
        if tag == "th" and "data-env" in a:
            self.envs.append(a["data-env"] or "")
        if tag == "td" and self.attr("data-service"):
            self.rows.setdefault(self.attr("data-service") or "", []).append("")
        if tag == "li" and "release" in (a.get("class") or ""):
            self.timeline.setdefault(self.attr("data-env") or "", []).append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text += data
        tags = [t for t, _ in self.stack]
        service = self.attr("data-service")
        if "td" in tags and service:
            self.rows[service][-1] += data
        if "li" in tags and "section" in tags:
            env = self.attr("data-env") or ""
            self.timeline[env][-1] += data


def png_colours(path: Path) -> int:
    """Distinct byte values in the decoded image rows: 1 or 2 for a blank page."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


def main(dom_path: str, png_path: str) -> None:
    dom = Dom()
    dom.feed(Path(dom_path).read_text())
    assert dom.envs == ["staging", "production"], dom.envs
    assert set(dom.rows) == {"users", "orders"}, dom.rows
    users_staging, users_production = dom.rows["users"]
    assert "acme/users:1.3.0" in users_staging and "locked" in users_staging, users_staging
    # Step 8: production's users was set back to 1.3.0 out of band; the adoption wrote it and
    # locked it.
    assert "acme/users:1.3.0" in users_production and "locked" in users_production, users_production
    assert "acme/orders:2.2.1" in dom.rows["orders"][0], dom.rows["orders"]
    assert "Black Friday freeze" in dom.text, "the environment lock of step 4"
    assert set(dom.timeline) == {"staging", "production"}, dom.timeline
    staging = dom.timeline["staging"]
    assert len(staging) >= 4 and "rollback" in " ".join(staging), staging
    assert any("promotion" in item for item in dom.timeline["production"]), dom.timeline["production"]
    assert any("adopted" in item for item in dom.timeline["production"]), dom.timeline["production"]
    colours = png_colours(Path(png_path))
    assert colours > 8, f"the screenshot looks blank ({colours} distinct values)"
    print(f"status page: {len(dom.rows)} services x {len(dom.envs)} environments, "
          f"{sum(len(v) for v in dom.timeline.values())} releases in the timeline, screenshot {colours} values")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
