"""The dashboard's font (a subset made by tools/subset_dashboard_font.py) holds every character its
own page, script and style sheet write: a word added after the subset was made shows in the
system's font at best, as boxes on a machine without Chinese fonts."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

DASHBOARD = Path(__file__).parents[2] / "services" / "reports" / "dashboard"


def woff_characters(path: Path) -> set[int]:
    """The code points a WOFF 1.0 font maps (its cmap's format 4 and 12 subtables)."""
    data = path.read_bytes()
    assert data[:4] == b"wOFF", path
    (tables,) = struct.unpack(">H", data[12:14])
    cmap = b""
    for i in range(tables):
        tag, offset, comp_length, orig_length, _ = struct.unpack(">4sIIII", data[44 + 20 * i:64 + 20 * i])
        if tag == b"cmap":
            raw = data[offset:offset + comp_length]
            cmap = zlib.decompress(raw) if comp_length < orig_length else raw
    assert cmap, "the font has no cmap"
    mapped: set[int] = set()
    (count,) = struct.unpack(">H", cmap[2:4])
    for i in range(count):
        (offset,) = struct.unpack(">I", cmap[8 + 8 * i:12 + 8 * i])
        (form,) = struct.unpack(">H", cmap[offset:offset + 2])
        if form == 4:
            (segs2,) = struct.unpack(">H", cmap[offset + 6:offset + 8])
            ends = struct.unpack(f">{segs2 // 2}H", cmap[offset + 14:offset + 14 + segs2])
            starts = struct.unpack(f">{segs2 // 2}H", cmap[offset + 16 + segs2:offset + 16 + 2 * segs2])
            mapped |= {c for start, end in zip(starts, ends, strict=True) for c in range(start, end + 1)} - {0xFFFF}
        elif form == 12:
            (groups,) = struct.unpack(">I", cmap[offset + 12:offset + 16])
            for g in range(groups):
                start, end, _ = struct.unpack(">III", cmap[offset + 16 + 12 * g:offset + 28 + 12 * g])
                mapped |= set(range(start, end + 1))
    return mapped


def test_the_dashboards_font_holds_every_character_of_its_own_words() -> None:
    mapped = woff_characters(DASHBOARD / "noto-sans-sc-subset.woff")
    for path in DASHBOARD.glob("*.*"):
        if path.suffix in (".html", ".js", ".css"):
            missing = sorted({c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F and ord(c) not in mapped})
            assert not missing, f"{path.name}: {''.join(missing)} (run tools/subset_dashboard_font.py)"
