"""Make the dashboard's font: a subset of Noto Sans CJK SC (SIL OFL 1.1) holding the dashboard's
own words, every name of a place, unit and matter the county ships, ASCII and common punctuation,
written as WOFF into services/reports/dashboard/. The rest of Chinese falls back to the system's
fonts. Run once after the names change, with fontTools and Debian's fonts-noto-cjk at hand:

    python -m venv /tmp/fontvenv && /tmp/fontvenv/bin/pip install fonttools
    /tmp/fontvenv/bin/python tools/subset_dashboard_font.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
OUT = ROOT / "services" / "reports" / "dashboard" / "noto-sans-sc-subset.woff"
SC = 2  # the collection's Simplified Chinese face


def names() -> str:
    text = []
    for path in (ROOT / "services" / "reports" / "dashboard").glob("*.*"):
        if path.suffix in (".html", ".js", ".css"):
            text.append(path.read_text(encoding="utf-8"))
    text.append((ROOT / "router" / "data" / "gazetteer.yaml").read_text(encoding="utf-8"))
    text.append((ROOT / "schemas" / "taxonomy.py").read_text(encoding="utf-8"))
    text.append((ROOT / "feedback" / "reports.py").read_text(encoding="utf-8"))
    for path in (ROOT / "router" / "data" / "catalogue").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text.extend(m.get("name", "") for m in data.get("matters", []))
    chars = {c for c in "".join(text) if re.match(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", c)}
    return "".join(sorted(chars)) + "".join(chr(c) for c in range(0x20, 0x7F)) + "·—…“”‘’×"


def main() -> None:
    font = TTCollection(str(SOURCE)).fonts[SC]
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    text = names()
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = "woff"
    font.save(str(OUT))
    print(f"{len(set(text))} characters, {OUT.stat().st_size} bytes -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
