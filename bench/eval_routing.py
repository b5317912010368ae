"""Measure routing quality on a labelled appeal set (default: ../shared/data/appeals_dev.jsonl).

Usage: python bench/eval_routing.py [PATH] [--model MODEL.npz] [--errors]

Prints emergency-redirect recall and precision, urgent recall, class accuracy, level accuracy and
balanced accuracy, county-department top-1 and top-3 accuracy, the auto-dispatch curve (share of
dispatched orders at or above a confidence threshold, and how many of those went to the right
owner), and a confusion summary. Rows with a `category` field (long message-board posts labelled
with one of seven broad categories) are also scored by the category of the routed department
(router/data/categories.yaml). The set is for measuring only: nothing here feeds back into the
router.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router.categories import category_of  # noqa: E402
from router.offline import classify_record  # noqa: E402
from router.service import Router  # noqa: E402
from router.thresholds import DispatchOutcome, MatterThresholds  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "appeals_dev.jsonl"
CURVE = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
DEFAULT_THRESHOLD = 0.8  # the services' default review threshold (HOTLINE_REVIEW_THRESHOLD)
HIGH_TIER = 0.95  # a high-confidence tier


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:6.1%} ({hit}/{total})" if total else "   n/a"


def owner_right(row: dict[str, Any], out: dict[str, Any]) -> bool:
    """The order went to the right owner: the department for county matters, else the level."""
    if row.get("expect_redirect"):
        return False
    if "expect_level" not in row:  # a set labelled only with a category
        return category_of(out) == row.get("category")
    want = row.get("expect_dept") or row["expect_level"]
    return bool((out["dept"] or out["level"]) == want and out["level"] == row["expect_level"])


def dispatch_outcomes(rows: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> list[DispatchOutcome]:
    """What a centre's history would record for these orders: the router's matter and confidence,
    and whether the dispatch held (not returned, not overridden)."""
    return [DispatchOutcome(o["matter"], float(o["confidence"]), owner_right(r, o))
            for r, o in zip(rows, outputs, strict=True) if not o["redirect"] and o["matter"]]


def curve(rows: list[dict[str, Any]], outputs: list[dict[str, Any]],
          thresholds: tuple[float, ...] = CURVE) -> list[tuple[float, int, int, int]]:
    """(threshold, orders dispatched by the router, auto-dispatched at the threshold, right among them)."""
    dispatched = [(r, o) for r, o in zip(rows, outputs, strict=True) if not o["redirect"]]
    out = []
    for t in thresholds:
        auto = [(r, o) for r, o in dispatched if o["confidence"] >= t]
        out.append((t, len(dispatched), len(auto), sum(1 for r, o in auto if owner_right(r, o))))
    return out


def matter_curve(rows: list[dict[str, Any]], outputs: list[dict[str, Any]],
                 learned: MatterThresholds) -> tuple[int, int, int]:
    """(dispatched, auto-dispatched, right among them) with per-matter thresholds."""
    dispatched = [(r, o) for r, o in zip(rows, outputs, strict=True) if not o["redirect"]]
    auto = [(r, o) for r, o in dispatched if o["confidence"] >= learned.for_matter(o["matter"])]
    return len(dispatched), len(auto), sum(1 for r, o in auto if owner_right(r, o))


def evaluate(rows: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> dict[str, float | None]:
    """The headline figures of one set (fractions; None where the set has no such item)."""

    def frac(hit: int, total: int) -> float | None:
        return hit / total if total else None

    pairs = list(zip(rows, outputs, strict=True))
    figures: dict[str, float | None] = {}
    redirect_true = [r for r, _ in pairs if r.get("expect_redirect")]
    redirect_pred = [o for _, o in pairs if o["redirect"]]
    redirect_hit = sum(1 for r, o in pairs if r.get("expect_redirect") and o["redirect"] == r["expect_redirect"])
    figures["redirect_recall"] = frac(redirect_hit, len(redirect_true))
    figures["redirect_precision"] = frac(redirect_hit, len(redirect_pred))
    classed = [(r, o) for r, o in pairs if "expect_class" in r]
    urgent = [(r, o) for r, o in classed if r["expect_class"] == "urgent"]
    figures["urgent_recall"] = frac(sum(1 for _, o in urgent if o["class"] == "urgent"), len(urgent))
    figures["class_accuracy"] = frac(sum(1 for r, o in classed if o["class"] == r["expect_class"]), len(classed))
    levelled = [(r, o) for r, o in pairs if "expect_level" in r]
    figures["level_accuracy"] = frac(sum(1 for r, o in levelled if o["level"] == r["expect_level"]), len(levelled))
    recalls = []
    for level in ("village", "township", "county"):
        idx = [(r, o) for r, o in levelled if r["expect_level"] == level]
        if idx:
            recalls.append(sum(1 for _, o in idx if o["level"] == level) / len(idx))
            figures[f"{level}_recall"] = recalls[-1]
    figures["level_balanced"] = sum(recalls) / len(recalls) if recalls else None
    county = [(r, o) for r, o in pairs if r.get("expect_dept")]
    figures["dept_top1"] = frac(sum(1 for r, o in county if o["dept"] == r["expect_dept"]), len(county))
    figures["dept_top3"] = frac(sum(1 for r, o in county if r["expect_dept"] in (o.get("top_departments") or [])[:3]
                                    or o["dept"] == r["expect_dept"]), len(county))
    categorised = [(r, o) for r, o in pairs if r.get("category")]
    figures["category"] = frac(sum(1 for r, o in categorised if category_of(o) == r["category"]), len(categorised))
    for t, n, auto, right in curve(rows, outputs, (DEFAULT_THRESHOLD, HIGH_TIER)):
        figures[f"auto_share@{t}"] = frac(auto, n)
        figures[f"auto_right@{t}"] = frac(right, auto)
    return figures


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The labelled rows of a JSON-lines set."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(rows: list[dict[str, Any]], outputs: list[dict[str, Any]], *, errors: bool = False,
           learned: MatterThresholds | None = None) -> dict[str, float | None]:
    """Print every figure of one set; returns the headline figures."""
    figures = evaluate(rows, outputs)
    pairs = list(zip(rows, outputs, strict=True))

    def line(label: str, hit: int, total: int) -> None:
        print(f"{label:<30}{_ratio(hit, total)}")

    redirect_true = sum(1 for r, _ in pairs if r.get("expect_redirect"))
    redirect_hit = sum(1 for r, o in pairs if r.get("expect_redirect") and o["redirect"] == r["expect_redirect"])
    redirect_any = sum(1 for r, o in pairs if r.get("expect_redirect") and o["redirect"])
    redirect_pred = sum(1 for _, o in pairs if o["redirect"])
    print(f"emergency redirect recall     {_ratio(redirect_hit, redirect_true)}"
          f"   (any line: {redirect_any}/{redirect_true})")
    line("emergency redirect precision", redirect_hit, redirect_pred)
    classed = [(r, o) for r, o in pairs if "expect_class" in r]
    if classed:
        urgent = [o for r, o in classed if r["expect_class"] == "urgent"]
        line("urgent recall", sum(1 for o in urgent if o["class"] == "urgent"), len(urgent))
        line("class accuracy", sum(1 for r, o in classed if o["class"] == r["expect_class"]), len(classed))
    levelled = [(r, o) for r, o in pairs if "expect_level" in r]
    if levelled:
        line("level accuracy", sum(1 for r, o in levelled if o["level"] == r["expect_level"]), len(levelled))
        for level in ("village", "township", "county"):
            idx = [o for r, o in levelled if r["expect_level"] == level]
            line(f"  {level:<9} recall", sum(1 for o in idx if o["level"] == level), len(idx))
        print(f"level balanced accuracy       {figures['level_balanced'] or 0:6.1%}")
    county = [(r, o) for r, o in pairs if r.get("expect_dept")]
    if county:
        line("department top-1 (county)", sum(1 for r, o in county if o["dept"] == r["expect_dept"]), len(county))
        line("department top-3 (county)", round((figures["dept_top3"] or 0) * len(county)), len(county))
    categorised = [(r, o) for r, o in pairs if r.get("category")]
    if categorised:
        line("category (seven, by dept)", sum(1 for r, o in categorised if category_of(o) == r["category"]),
             len(categorised))

    print("auto-dispatch curve (orders the router dispatches; right = the right owner):")
    print("  threshold  auto-dispatched        right among them")
    for t, n, auto, right in curve(rows, outputs):
        print(f"  >= {t:<5.2f}  {_ratio(auto, n):<22} {_ratio(right, auto)}")
    if learned is not None:
        n, auto, right = matter_curve(rows, outputs, learned)
        print(f"  per-matter thresholds learned from other sets' outcomes ({len(learned.by_matter)} matters):"
              f" {_ratio(auto, n)} auto-dispatched, {_ratio(right, auto)} right")

    confusion: Counter[tuple[str, str]] = Counter()
    for r, o in levelled:
        want = r.get("expect_dept") or r["expect_level"]
        got = o["dept"] or o["level"]
        if want != got:
            confusion[(want, got)] += 1
    for r, o in categorised:
        if category_of(o) != r["category"]:
            confusion[(r["category"], f"{category_of(o)} ({o['dept'] or o['level']})")] += 1
    print("most frequent owner confusions (expected -> routed):")
    for (want, got), n in confusion.most_common(12):
        print(f"  {want:>18} -> {got:<18} {n}")
    class_conf = Counter((r["expect_class"], o["class"]) for r, o in classed if r["expect_class"] != o["class"])
    if class_conf:
        print("class confusions:", ", ".join(f"{a}->{b} {n}" for (a, b), n in class_conf.most_common()))

    if errors:
        for r, o in pairs:
            flags = []
            if "expect_level" in r:
                want = r.get("expect_dept") or r["expect_level"]
                got = o["dept"] or o["level"]
                if want != got:
                    flags.append(f"owner {want}->{got}")
            if r.get("category") and category_of(o) != r["category"]:
                flags.append(f"category {r['category']}->{category_of(o)} ({o['dept'] or o['level']})")
            if "expect_class" in r and r["expect_class"] != o["class"]:
                flags.append(f"class {r['expect_class']}->{o['class']}")
            if (r.get("expect_redirect") or None) != o["redirect"]:
                flags.append(f"redirect {r.get('expect_redirect')}->{o['redirect']}")
            if flags:
                print(f"{r['id']} {'; '.join(flags)} | {o['matter']} {o['confidence']:.2f} | {r['text'][:60]}")
    return figures


def main(argv: list[str] | None = None, *, learned: MatterThresholds | None = None) -> dict[str, float | None]:
    """Run the evaluation and print the figures (returns the headline figures)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--model", default=None, help="a trained router model (.npz)")
    parser.add_argument("--errors", action="store_true", help="list every wrong department/level/class")
    args = parser.parse_args(argv)

    rows = load_rows(Path(args.path))
    started = time.perf_counter()
    router = Router.default(model_path=args.model)
    loaded = time.perf_counter() - started
    outputs = [classify_record(router, row) for row in rows]
    print(f"appeals: {len(rows)}  ({args.path})")
    print(f"router load: {loaded:.2f} s")
    return report(rows, outputs, errors=args.errors, learned=learned)


if __name__ == "__main__":
    main()
