"""Measure routing quality on a labelled appeal set (default: ../shared/data/appeals_dev.jsonl).

Usage: python bench/eval_routing.py [PATH] [--model MODEL.npz] [--errors]

Prints emergency-redirect recall and precision, urgent recall, class accuracy, level accuracy and
balanced accuracy, county-department top-1 and top-3 accuracy, confidence calibration, and a
confusion summary. The set is for measuring only: nothing here feeds back into the router.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router.offline import classify_record  # noqa: E402
from router.service import Router  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "appeals_dev.jsonl"


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:6.1%} ({hit}/{total})" if total else "   n/a"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--model", default=None, help="a trained router model (.npz)")
    parser.add_argument("--errors", action="store_true", help="list every wrong department/level/class")
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in Path(args.path).read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    router = Router.default(model_path=args.model)
    loaded = time.perf_counter() - started
    outputs = [classify_record(router, row) for row in rows]

    redirect_true = [r for r in rows if r.get("expect_redirect")]
    redirect_pred = [o for o in outputs if o["redirect"]]
    redirect_hit = sum(1 for r, o in zip(rows, outputs, strict=True)
                       if r.get("expect_redirect") and o["redirect"] == r["expect_redirect"])
    redirect_any = sum(1 for r, o in zip(rows, outputs, strict=True) if r.get("expect_redirect") and o["redirect"])
    urgent_true = [i for i, r in enumerate(rows) if r["expect_class"] == "urgent"]
    urgent_hit = sum(1 for i in urgent_true if outputs[i]["class"] == "urgent")
    class_hit = sum(1 for r, o in zip(rows, outputs, strict=True) if o["class"] == r["expect_class"])
    level_hit = sum(1 for r, o in zip(rows, outputs, strict=True) if o["level"] == r["expect_level"])
    recalls = {}
    for level in ("village", "township", "county"):
        idx = [i for i, r in enumerate(rows) if r["expect_level"] == level]
        recalls[level] = (sum(1 for i in idx if outputs[i]["level"] == level), len(idx))
    balanced = sum(h / n for h, n in recalls.values() if n) / sum(1 for _, n in recalls.values() if n)
    county = [i for i, r in enumerate(rows) if r.get("expect_dept")]
    top1 = sum(1 for i in county if outputs[i]["dept"] == rows[i]["expect_dept"])
    top3 = sum(1 for i in county if rows[i]["expect_dept"] in (outputs[i].get("top_departments") or [])[:3]
               or outputs[i]["dept"] == rows[i]["expect_dept"])

    print(f"appeals: {len(rows)}  ({args.path})")
    print(f"router load: {loaded:.2f} s")
    print(f"emergency redirect recall     {_ratio(redirect_hit, len(redirect_true))}"
          f"   (any line: {redirect_any}/{len(redirect_true)})")
    print(f"emergency redirect precision  {_ratio(redirect_hit, len(redirect_pred))}")
    print(f"urgent recall                 {_ratio(urgent_hit, len(urgent_true))}")
    print(f"class accuracy                {_ratio(class_hit, len(rows))}")
    print(f"level accuracy                {_ratio(level_hit, len(rows))}")
    for level, (h, n) in recalls.items():
        print(f"  {level:<9} recall            {_ratio(h, n)}")
    print(f"level balanced accuracy       {balanced:6.1%}")
    print(f"department top-1 (county)     {_ratio(top1, len(county))}")
    print(f"department top-3 (county)     {_ratio(top3, len(county))}")

    correct = [o["dept"] == r.get("expect_dept") and o["level"] == r["expect_level"]
               for r, o in zip(rows, outputs, strict=True)]
    for lo, hi in ((0.0, 0.5), (0.5, 0.8), (0.8, 1.01)):
        idx = [i for i, o in enumerate(outputs) if lo <= o["confidence"] < hi]
        ok = sum(1 for i in idx if correct[i])
        print(f"confidence [{lo:.1f},{min(hi, 1.0):.1f}): owner correct {_ratio(ok, len(idx))}")

    confusion: Counter[tuple[str, str]] = Counter()
    for r, o in zip(rows, outputs, strict=True):
        want = r.get("expect_dept") or r["expect_level"]
        got = o["dept"] or o["level"]
        if want != got:
            confusion[(want, got)] += 1
    print("most frequent owner confusions (expected -> routed):")
    for (want, got), n in confusion.most_common(12):
        print(f"  {want:>18} -> {got:<18} {n}")
    class_conf = Counter((r["expect_class"], o["class"]) for r, o in zip(rows, outputs, strict=True)
                         if r["expect_class"] != o["class"])
    print("class confusions:", ", ".join(f"{a}->{b} {n}" for (a, b), n in class_conf.most_common()))

    if args.errors:
        for r, o in zip(rows, outputs, strict=True):
            want = r.get("expect_dept") or r["expect_level"]
            got = o["dept"] or o["level"]
            flags = []
            if want != got:
                flags.append(f"owner {want}->{got}")
            if r["expect_class"] != o["class"]:
                flags.append(f"class {r['expect_class']}->{o['class']}")
            if (r.get("expect_redirect") or None) != o["redirect"]:
                flags.append(f"redirect {r.get('expect_redirect')}->{o['redirect']}")
            if flags:
                print(f"{r['id']} {'; '.join(flags)} | {o['matter']} {o['confidence']:.2f} | {r['text'][:60]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
