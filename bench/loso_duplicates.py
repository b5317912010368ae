"""并单: does a learned combination of the detector's evidence generalise better than its hand-set rules?

    .venv/bin/python bench/loso_duplicates.py [FILE.jsonl ...]

For each (new appeal, earlier appeal within the window) pair of each labelled set, the features the
detector already computes (place relation in the gazetteer hierarchy and in the words, kinds of
incident, the router's matter and department, word similarity with and without the place words, time
gap, address equality, the rules' own verdict and score) are labelled from the sets' incidents. A
small L2-regularised logistic regression (numpy, deterministic) is fitted leave-one-set-out: trained
on all sets but one, its threshold chosen on the training sets alone (the lowest whose pairwise
precision there is at least 0.95), then duplicates are assigned greedily in submission order like
`DuplicateIndex.add` (best match first, an incident takes no report naming another place of one of
its reports) and scored on the held-out set with `pairwise_scores`. The hard place vetoes (two
gazetteer places of one level, two buildings or groups, addresses naming two villages / roads /
compounds) stay rules. The rules' figures printed beside are in-sample for every set they were tuned
on; their honest unseen figures are the ones measured once (README: Intake).
Default: tests/data/dups_{a,b,c,d,e,f,g}.jsonl.

The features are the detector's own machinery, tuned on the sets it has read, so a set held out here
is unseen by the model but not by its features. For an honest figure on a set, run the script on the
detector as it was before that set was read (machinery it lacks counts as absent):

    git worktree add --detach /tmp/at-bc28a07 bc28a07 && cp bench/loso_duplicates.py /tmp/at-bc28a07/bench/
    cd /tmp/at-bc28a07 && /work/main/.venv/bin/python bench/loso_duplicates.py SETS…   # dups_d unseen
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake import duplicate_places, duplicate_profile, place_words, places  # noqa: E402
from intake import duplicates as d  # noqa: E402
from intake.duplicates import DuplicatePolicy, Profile, pairwise_scores  # noqa: E402
from router.service import Router  # noqa: E402
from services.offline_duplicates import index_for, report_from_record  # noqa: E402

FEATURES = (
    "bias", "rule_match", "rule_score", "words", "words_all", "jaccard_all", "gap",
    "same_names", "stem_in_other", "rare_names", "shared_spots", "same_village_node", "within", "named_spot",
    "no_place", "same_kind", "related_kind", "kinds_apart", "no_kind", "same_matter", "specific_matter",
    "same_dept", "same_address", "channel_same",
)


@dataclass
class Pair:
    earlier: int
    later: int
    x: np.ndarray
    veto: bool  # a hard place contradiction: never merged
    elsewhere: bool  # the gazetteer's contradiction (the incident check of DuplicateIndex.add)
    label: bool
    rule: float  # the rules' score when they merge the pair, else 0


def _jaccard(a: str, b: str) -> float:
    ga, gb = set(duplicate_profile._bigrams(a)), set(duplicate_profile._bigrams(b))
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def _subplaces_apart(a: Profile, b: Profile) -> bool:
    ka: dict[str, set[int]] = {}
    kb: dict[str, set[int]] = {}
    for found, subplaces in ((ka, a.subplaces), (kb, b.subplaces)):
        for kind, value in subplaces:
            found.setdefault(kind, set()).add(value)
    return any(not ka[k] & kb[k] for k in ka.keys() & kb.keys())


_NO = frozenset[str]()


def _zero(*_: object) -> bool:
    return False


def pair_features(a: Profile, b: Profile, policy: DuplicatePolicy, raw_grams: dict[str, object]) -> tuple[
        np.ndarray, bool]:
    """The evidence for `b` repeating `a` and whether a hard place veto forbids it. (Machinery an
    older detector lacks counts as absent, so the script runs on the detector of any commit.)"""
    ra, rb = a.report, b.report
    gap = abs(rb.reported_at - ra.reported_at) / policy.window
    match = d.similarity(a, b, policy)
    place = duplicate_places._same_place(a, b, policy)
    elsewhere = getattr(d, "_elsewhere", _zero)
    mentions = getattr(d, "_mentions", lambda text, stem: stem in text)
    try:
        apart = any(place_words._apart(x, y, ra.text, rb.text, level)
                    for x, y, level in zip(a.levels, b.levels, place_words._LEVELS, strict=True))
    except TypeError:  # before the levels' place words
        apart = any(place_words._apart(x, y, ra.text, rb.text) for x, y in zip(a.levels, b.levels, strict=True))
    veto = _subplaces_apart(a, b) or elsewhere(a, b) or apart
    stems = {s for s in a.stems if mentions(b.where, s)} | {s for s in b.stems if mentions(a.where, s)}
    topic = ra.topic & rb.topic
    same_kind = bool(a.kinds & b.kinds)
    related = getattr(d, "_related", _zero)(a.kinds, b.kinds)
    kinds_apart = getattr(d, "_kinds_apart", lambda x, y: bool(x and y and not x & y and not related))
    wa, wb = getattr(a, "whereabouts", None), getattr(b, "whereabouts", None)
    within = getattr(d, "_WITHIN", None)
    named_spot = getattr(d, "_named_spot", _zero)
    specific = getattr(d, "_specific_matter", _zero)
    x = np.array([
        1.0,
        1.0 if match else 0.0,
        match.score if match else 0.0,
        duplicate_profile._cosine(a.grams, b.grams),
        duplicate_profile._cosine(raw_grams[ra.id], raw_grams[rb.id]),  # type: ignore[arg-type]
        _jaccard(ra.text, rb.text),
        gap,
        1.0 if a.names & b.names else 0.0,
        1.0 if stems else 0.0,
        1.0 if len(a.rare & b.rare) >= 2 else 0.0,
        1.0 if wa is not None and wb is not None and places.shared_spots(wa, wb) else 0.0,
        1.0 if ra.places & rb.places else 0.0,
        1.0 if place and within and str(place).startswith(within) else 0.0,
        1.0 if place and named_spot(place, a, b) else 0.0,
        1.0 if place is None else 0.0,
        1.0 if same_kind else 0.0,
        1.0 if related and not same_kind else 0.0,
        1.0 if kinds_apart(a.kinds, b.kinds) else 0.0,
        1.0 if not a.kinds or not b.kinds else 0.0,
        1.0 if any(t.startswith("matter:") for t in topic) else 0.0,
        1.0 if specific(a, b) else 0.0,
        1.0 if any(t.startswith("dept:") for t in topic) else 0.0,
        1.0 if ra.address and rb.address and ra.address.strip() == rb.address.strip() else 0.0,
        1.0 if ra.channel == rb.channel else 0.0,
    ])
    return x, veto


@dataclass
class LabelledSet:
    name: str
    ids: list[str]
    truth: dict[str, str]
    pairs: list[Pair]


def load(path: Path, router: Router, policy: DuplicatePolicy) -> LabelledSet:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        index = index_for(policy, router)
    except TypeError:  # before the gazetteer's aliases
        index = index_for(policy)  # type: ignore[call-arg]
    reports = [report_from_record(router, r, n) for n, r in enumerate(records, start=1)]
    profiles = [index.profile_of(r) for r in reports]
    words = duplicate_profile
    raw = {r.id: words._weighted(words._bigrams(words._clean(r.text)), index.idf) for r in reports}
    pairs = []
    for j, b in enumerate(profiles):
        for i in range(j):
            a = profiles[i]
            if abs(b.report.reported_at - a.report.reported_at) > policy.window:
                continue
            x, veto = pair_features(a, b, policy, raw)  # type: ignore[arg-type]
            same = records[i]["incident"] == records[j]["incident"]
            rule = (1.0 + float(x[2])) if x[1] else 0.0
            pairs.append(Pair(i, j, x, veto, getattr(d, "_elsewhere", _zero)(a, b), same, rule))
    return LabelledSet(path.stem, [r.id for r in reports], {r["id"]: r["incident"] for r in records}, pairs)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[np.ndarray, np.ndarray,
                                                                                   np.ndarray]:
    """L2-regularised logistic regression by Newton's method on standardised features (bias
    unpenalised); returns weights, the features' means and scales."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w, mean, scale


def probabilities(pairs: list[Pair], model: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    w, mean, scale = model
    x = np.array([p.x for p in pairs]) if pairs else np.zeros((0, len(FEATURES)))
    return 1 / (1 + np.exp(-((x - mean) / scale) @ w))


def assign(data: LabelledSet, scores: np.ndarray, threshold: float) -> dict[str, str | None]:
    """Greedy in submission order, as `DuplicateIndex.add`."""
    by_later: dict[int, list[tuple[float, Pair]]] = {}
    elsewhere = {(p.earlier, p.later) for p in data.pairs if p.elsewhere}
    window = {j: [p.earlier for p in data.pairs if p.later == j] for j in range(len(data.ids))}
    for p, s in zip(data.pairs, scores, strict=True):
        if not p.veto and s >= threshold:
            by_later.setdefault(p.later, []).append((float(s), p))
    root: dict[int, int] = {}
    out: dict[str, str | None] = {}
    for j, new in enumerate(data.ids):
        chosen = None
        for _, p in sorted(by_later.get(j, []), key=lambda t: (-t[0], t[1].earlier)):
            candidate = root.get(p.earlier, p.earlier)
            if not any((i, j) in elsewhere for i in window[j] if root.get(i, i) == candidate):
                chosen = candidate
                break
        if chosen is not None:
            root[j] = chosen
        out[new] = data.ids[chosen] if chosen is not None else None
    return out


def score(data: LabelledSet, predicted: dict[str, str | None]) -> tuple[float, float, int, int, int]:
    return pairwise_scores(predicted, data.truth)


def rules(data: LabelledSet) -> np.ndarray:
    return np.array([10.0 + p.rule if p.rule else 0.0 for p in data.pairs])  # ordered by the rules' score


THRESHOLDS = tuple(np.round(np.arange(0.05, 0.96, 0.05), 2))


def choose_threshold(train: list[LabelledSet], l2: float, min_precision: float = 0.95, nested: bool = False) -> float:
    """The lowest threshold whose pooled pairwise precision on the training sets is `min_precision`:
    each scored by the model fitted on all of them (in-sample), or with `nested` by the model fitted
    on the others (each training set held out in turn)."""
    if nested:
        scored = [(s, probabilities(s.pairs, train_on([o for o in train if o is not s], l2))) for s in train]
    else:
        model = train_on(train, l2)
        scored = [(s, probabilities(s.pairs, model)) for s in train]
    for t in THRESHOLDS:
        hit = npred = 0
        for s, p in scored:
            _, _, h, n, _ = score(s, assign(s, p, float(t)))
            hit, npred = hit + h, npred + n
        if npred and hit / npred >= min_precision:
            return float(t)
    return float(THRESHOLDS[-1])


def train_on(sets: list[LabelledSet], l2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pairs = [p for s in sets for p in s.pairs if not p.veto]
    return fit(np.array([p.x for p in pairs]), np.array([float(p.label) for p in pairs]), l2)


def drop(sets: list[LabelledSet], names: list[str]) -> None:
    """Zero the features `names` (a constant column gets no weight)."""
    for name in names:
        column = FEATURES.index(name)
        for s in sets:
            for p in s.pairs:
                p.x[column] = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = [ROOT / f"tests/data/dups_{c}.jsonl" for c in "abcdefg"]
    parser.add_argument("files", nargs="*", type=Path, default=default)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--min-precision", type=float, default=0.95)
    parser.add_argument("--drop", default="", help="features left out, comma-separated")
    parser.add_argument("--nested", action="store_true", help="choose the threshold on the training sets held out")
    parser.add_argument("--weights", action="store_true", help="print the weights fitted on all sets")
    args = parser.parse_args()
    router = Router.default()
    policy = DuplicatePolicy()
    sets = [load(p, router, policy) for p in args.files]
    drop(sets, [n for n in args.drop.split(",") if n])
    print(f"{sum(len(s.pairs) for s in sets)} pairs within the window, "
          f"{sum(p.label for s in sets for p in s.pairs)} of one incident; l2 {args.l2}; "
          f"left out: {args.drop or 'nothing'}; threshold for precision {args.min_precision} "
          f"{'on the training sets held out in turn' if args.nested else 'in-sample'}")
    print("| held-out set | rules of this commit | learned, held out | threshold |")
    print("|---|---|---|---|")
    for k, held in enumerate(sets):
        train = sets[:k] + sets[k + 1:]
        model = train_on(train, args.l2)
        threshold = choose_threshold(train, args.l2, args.min_precision, args.nested)
        rp, rr, *_ = score(held, assign(held, rules(held), 0.5))
        lp, lr, hit, npred, ntrue = score(held, assign(held, probabilities(held.pairs, model), threshold))
        print(f"| {held.name} | {rp:.3f} / {rr:.3f} | {lp:.3f} / {lr:.3f} ({hit} of {npred} predicted, "
              f"{ntrue} true) | {threshold:.2f} |")
    if args.weights:
        w, _, _ = train_on(sets, args.l2)
        for name, value in sorted(zip(FEATURES, w, strict=True), key=lambda t: -abs(t[1])):
            print(f"  {name:18s} {value:+.3f}")


if __name__ == "__main__":
    main()
