"""Leave-one-set-out: how the router does on a labelled set its learned model never saw.

The product's learned model trains from the catalogue plus the shipped seed appeals
(router/data/seed/labelled_appeals.jsonl, which gathers tests/data/appeals_{holdout,second,third,
fourth}.jsonl). Measuring on one of those sets with the shipped model would flatter it, so for
each set this trains a model on the catalogue and the *other* sets, then runs bench/eval_routing.py
on the held-out set with that model. Usage: python bench/crossval_routing.py [SET ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_routing  # noqa: E402

from router.learning import seed_records  # noqa: E402
from router.service import Router  # noqa: E402

SETS = ("holdout", "second", "third", "fourth")


def main(argv: list[str]) -> int:
    router = Router.default()
    seed = seed_records()
    for name in argv or SETS:
        path = ROOT / "tests" / "data" / f"appeals_{name}.jsonl"
        held_out = {json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line}
        model = router.train([r for r in seed if r.text not in held_out], with_seed=False)
        with tempfile.TemporaryDirectory() as tmp:
            model_path = Path(tmp) / "model.npz"
            model.save(model_path)
            print(f"== {name}: model trained without it ({model.trained_on})")
            eval_routing.main([str(path), "--model", str(model_path)])
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
