"""The learned half of classification: character n-gram TF-IDF features and a linear model.

Trained from the catalogue's examples, names and terms, and from the centre's own history
(orders that closed without a return, dispatchers' overrides, returns that ended in
re-dispatch), so routing improves as the centre works. Training uses scikit-learn; inference
is a few numpy operations on the exported weights, so a model file (`.npz`, no pickle) loads
anywhere and scores an appeal in tens of microseconds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from router.catalogue import Catalogue
from router.exceptions import ModelError
from router.models import LabelledRecord, Matter

FORMAT = "hotline-router-model/3"
EMERGENCY_NONE = "none"  # the emergency head's class for appeals that are not emergencies
MIN_CLASS_EXAMPLES = 50  # fewer appeals labelled with a whistle class than this: no class heads
CLASS_HEADS = ("urgent", "hard")
# The owner model's C (the matter head keeps `regularisation`): 1.0 rather than 0.5, leave-one-set-out over the
# 18 seed sets pooled: department top-1 88.79 -> 89.04%, level balanced 86.45 -> 86.58%, category 85.19 -> 85.84%,
# auto-dispatched at 0.8 78.35% (93.91% right) -> 78.93% (93.99%); 0.25 lost on all of them, 2.0 gained less level
OWNER_C = 1.0
EMERGENCY_HEAD_C = 16.0  # inverse regularisation of the learned emergency head (see _train_emergency_head)
MATTER_HEAD_PRUNE = 0.05  # matter head weights smaller than this are dropped (no measurable change)
HASH_BITS = 20  # feature table of 2^20 slots (4 MB, cache-friendly); a few percent of unseen n-grams collide
_SHIFT_CHAR = np.uint64(21)  # every Unicode code point fits in 21 bits
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT_HASH = np.uint64(64 - HASH_BITS)
_NOT_LETTERS = re.compile(r"[^\w#]|[\d_]")


# (matter codes, feature rows, matter columns, weights, intercepts): see `LearnedModel.matter_head`.
MatterHead = tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@lru_cache(maxsize=1)
def _bmp_letters() -> np.ndarray:
    """For every code point of the Basic Multilingual Plane, whether an n-gram keeps it (what
    `_NOT_LETTERS` does not drop): one gather filters a text instead of a regex pass over it."""
    plane = "".join(map(chr, range(0x10000)))
    kept = np.frombuffer(_NOT_LETTERS.sub("", plane).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = np.zeros(0x10000, dtype=bool)
    keep[kept] = True
    return keep


def _letters(text: str) -> np.ndarray:
    """The code points of `text` that n-grams are made of (`_NOT_LETTERS` dropped), in order."""
    raw = text.encode("utf-32-le", "surrogatepass")
    if raw[2::4].count(0) != len(text):  # a code point beyond the plane (rare): the regex decides
        return np.frombuffer(_NOT_LETTERS.sub("", text).encode("utf-32-le"), dtype=np.uint32)
    codes = np.frombuffer(raw, dtype=np.uint32)
    return codes[_bmp_letters()[codes]]


def gram_hashes(text: str) -> np.ndarray:
    """Hashed character n-grams (1 to 3) of normalised text, punctuation and digits dropped,
    computed in numpy (a few microseconds per appeal). A repeated n-gram appears repeatedly.

    Each n-gram is packed exactly into one integer (21 bits per character), then hashed
    multiplicatively into the feature table.
    """
    a = _letters(text).astype(np.uint64)
    two = (a[:-1] << _SHIFT_CHAR) | a[1:]
    keys = np.concatenate((a, two, (two[:-1] << _SHIFT_CHAR) | a[2:]))
    keys *= _MIX
    keys >>= _SHIFT_HASH
    return keys.view(np.int64)  # slots fit: a signed index is used without a conversion


@dataclass
class LearnedModel:
    """Exported linear model over owners: the n-gram hashes it knows, idf, weights (features ×
    owners)."""

    classes: list[str]
    buckets: np.ndarray  # feature-table slot of each weight row
    idf: np.ndarray
    weights: np.ndarray  # shape (n_features, n_classes), float32
    intercept: np.ndarray  # shape (n_classes,)
    trained_on: dict[str, int]
    sharpness: float = 4.0  # margins → probabilities: softmax(sharpness × decision)
    # Optional binary heads over the same features, one per whistle class they can raise an
    # appeal to ("urgent", "hard"): (weights of shape (n_features,), intercept), logistic.
    class_heads: dict[str, tuple[np.ndarray, float]] = field(default_factory=dict)
    # Optional multinomial head over the same features: emergency line or EMERGENCY_NONE
    # (labels, weights of shape (n_features, n_labels), intercepts of shape (n_labels,)).
    emergency_head: tuple[list[str], np.ndarray, np.ndarray] | None = None
    # Optional linear head over catalogue matters, learned from the catalogue's own documents (names,
    # examples, terms), kept sparse (weights under MATTER_HEAD_PRUNE dropped): (matter codes, feature
    # rows in `buckets` order, matter columns, weights, intercepts of shape (n_matters,)).
    matter_head: MatterHead | None = None

    def __post_init__(self) -> None:
        # Rows in order of n-gram frequency (rising idf): the n-grams nearly every appeal has sit
        # together in memory, so scoring one reads fewer cold cache lines.
        order = np.argsort(self.idf, kind="stable")
        table = np.full(1 << HASH_BITS, -1, dtype=np.int32)
        table[self.buckets[order].astype(np.intp)] = np.arange(len(self.buckets), dtype=np.int32)
        self._table = table
        self._row_idf = self.idf[order]
        # Every linear part (owners, class heads, emergency head) side by side, idf folded in, so
        # that one gather and one sum score an appeal for all of them.
        blocks = [self.weights]
        intercepts = [np.asarray(self.intercept, dtype=np.float32)]
        self._head_column: dict[str, int] = {}
        n = len(self.classes)
        for name, (w, b) in self.class_heads.items():
            self._head_column[name] = n
            blocks.append(np.asarray(w, dtype=np.float32)[:, None])
            intercepts.append(np.array([b], dtype=np.float32))
            n += 1
        self._emergency_columns: slice | None = None
        if self.emergency_head is not None:
            labels, e_weights, e_intercept = self.emergency_head
            self._emergency_columns = slice(n, n + len(labels))
            self._emergency_none = labels.index(EMERGENCY_NONE) if EMERGENCY_NONE in labels else -1
            blocks.append(np.asarray(e_weights, dtype=np.float32))
            intercepts.append(np.asarray(e_intercept, dtype=np.float32))
        # idf² in the last column: one gather gives the scores and the norm of the TF-IDF vector
        idf = self.idf.astype(np.float32)
        self._scaled = np.ascontiguousarray(
            np.hstack([np.hstack(blocks) * idf[:, None], (idf * idf)[:, None]])[order], dtype=np.float32)
        self._intercepts = np.concatenate(intercepts)
        # the scores of the last two texts scored: a long message's routing asks about its whole text and its
        # focus in turn (the emergency check reads the one, the owner and class heads the other)
        self._last: tuple[tuple[str, np.ndarray], ...] = ()
        if self.matter_head is not None:
            # The head's weights by feature row in the frequency order `features` gives rows in.
            _, rows, cols, vals, _ = self.matter_head
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            ranked = rank[np.asarray(rows, dtype=np.int64)]
            by_row = np.argsort(ranked, kind="stable")
            self._matter_indptr = np.concatenate(([0], np.cumsum(np.bincount(ranked, minlength=len(order)))))
            self._matter_cols = np.asarray(cols, dtype=np.intp)[by_row]
            self._matter_vals = np.asarray(vals, dtype=np.float32)[by_row]

    def _scores(self, text: str) -> np.ndarray:
        """Raw linear scores of every part for a normalised text. The last two texts' are remembered:
        one routing pass asks the owner model, the class heads and the emergency head about a text
        and, for a long message, about its focus as well."""
        last = self._last
        for seen, scores in last:
            if seen == text:
                return scores
        cols = self._table[gram_hashes(text)]
        cols = cols[cols >= 0]
        if len(cols):
            # take() gathers rows several times faster than fancy indexing; the same sum
            summed = np.add.reduce(self._scaled.take(cols, axis=0), axis=0)
            scores = summed[:-1] / np.sqrt(summed[-1]) + self._intercepts
        else:
            scores = self._intercepts.copy()
        self._last = (last[-1], (text, scores)) if last else ((text, scores),)
        return scores  # type: ignore[no-any-return]

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Row indices (in this model's frequency order) and l2-normalised TF-IDF values of the
        known n-grams (a repeated n-gram is listed again: the dot product adds it up)."""
        cols = self._table[gram_hashes(text)]
        cols = cols[cols >= 0]
        vals = self._row_idf[cols]
        norm = float(np.sqrt(vals @ vals)) if len(cols) else 0.0
        return cols, (vals / norm if norm else vals)

    def decision(self, text: str) -> np.ndarray:
        """Raw linear scores, one per class (normalised text)."""
        return self._scores(text)[: len(self.classes)]

    def class_probability(self, whistle_class: str, text: str) -> float | None:
        """Probability that the appeal (normalised text) is of `whistle_class` ("urgent" or
        "hard"); None when the model has no head for it."""
        column = self._head_column.get(whistle_class)
        if column is None:
            return None
        return 1.0 / (1.0 + math.exp(-float(self._scores(text)[column])))

    def emergency_danger(self, text: str) -> tuple[float, str] | None:
        """The probability that the appeal (normalised text) is an emergency of any line, and
        the most likely line; None when the model has no emergency head."""
        if self._emergency_columns is None or self.emergency_head is None:
            return None
        scores = self._scores(text)[self._emergency_columns].tolist()  # a handful: plain floats are faster
        top = max(scores)
        exps = [math.exp(x - top) for x in scores]
        total = sum(exps)
        none = self._emergency_none
        best = max((i for i in range(len(exps)) if i != none), key=exps.__getitem__)
        return 1.0 - (exps[none] / total if none >= 0 else 0.0), self.emergency_head[0][best]

    def matter_scores(self, text: str) -> np.ndarray | None:
        """The matter head's raw linear scores, one per matter of `matter_head` (normalised text);
        None when the model has no matter head."""
        if self.matter_head is None:
            return None
        cols, vals = self.features(text)
        starts = self._matter_indptr[cols]
        counts = self._matter_indptr[cols + 1] - starts
        total = int(counts.sum())
        intercept = np.asarray(self.matter_head[4], dtype=np.float32)
        if not total:
            return intercept.copy()
        # every nonzero weight of every feature of the text, with the feature's TF-IDF value
        ends = np.cumsum(counts)
        at = np.arange(total) - np.repeat(ends - counts, counts) + np.repeat(starts, counts)
        weighted = self._matter_vals[at] * np.repeat(vals, counts)
        return np.bincount(self._matter_cols[at], weighted, minlength=len(intercept)) + intercept  # type: ignore[no-any-return]

    def owner_probabilities(self, text: str) -> list[float]:
        """`probabilities` as plain floats (cheaper for a few dozen owners)."""
        scores = self._scores(text)[: len(self.classes)].tolist()
        top = max(scores)
        sharp = self.sharpness
        exps = [math.exp((x - top) * sharp) for x in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def emergency_probabilities(self, text: str) -> dict[str, float] | None:
        """Probability of each emergency line and of EMERGENCY_NONE for the appeal (normalised
        text); None when the model has no emergency head."""
        if self._emergency_columns is None or self.emergency_head is None:
            return None
        scores = self._scores(text)[self._emergency_columns]
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        return dict(zip(self.emergency_head[0], probs.tolist(), strict=True))

    def probabilities(self, text: str) -> np.ndarray:
        """Softmax of the linear scores: a distribution over `classes`."""
        scores = self.decision(text)
        scores = np.exp((scores - scores.max()) * self.sharpness)
        return scores / scores.sum()  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        """Write the model as one `.npz` file (numpy arrays plus a JSON header; no pickle)."""
        header = json.dumps(
            {"format": FORMAT, "classes": self.classes, "trained_on": self.trained_on,
             "sharpness": self.sharpness},
            ensure_ascii=False,
        )
        arrays: dict[str, np.ndarray] = {
            "header": np.array(header), "buckets": self.buckets, "idf": self.idf,
            "weights": self.weights, "intercept": self.intercept,
        }
        for name, (w, b) in self.class_heads.items():
            arrays[f"head_{name}_weights"] = w
            arrays[f"head_{name}_intercept"] = np.array(b)
        if self.emergency_head is not None:
            labels, e_weights, e_intercept = self.emergency_head
            arrays["emergency_labels"] = np.array(labels)
            arrays["emergency_weights"] = e_weights
            arrays["emergency_intercept"] = e_intercept
        if self.matter_head is not None:
            labels, rows, cols, vals, m_intercept = self.matter_head
            arrays |= {"matter_labels": np.array(labels), "matter_rows": rows, "matter_cols": cols,
                       "matter_vals": vals, "matter_intercept": m_intercept}
        with path.open("wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> LearnedModel:
        """Read a model written by `save`; ModelError if it is missing or not a router model."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                buckets, idf = data["buckets"], data["idf"]
                weights, intercept = data["weights"], data["intercept"]
                heads = {
                    name: (data[f"head_{name}_weights"], float(data[f"head_{name}_intercept"]))
                    for name in CLASS_HEADS if f"head_{name}_weights" in data
                }
                matter_head = None
                if "matter_vals" in data:
                    matter_head = ([str(x) for x in data["matter_labels"]], data["matter_rows"], data["matter_cols"],
                                   data["matter_vals"], data["matter_intercept"])
                emergency = None
                if "emergency_weights" in data:
                    emergency = ([str(x) for x in data["emergency_labels"]], data["emergency_weights"],
                                 data["emergency_intercept"])
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load router model: {exc}") from exc
        if header.get("format") != FORMAT:
            raise ModelError(f"{path}: not a {FORMAT} file")
        if weights.shape != (len(buckets), len(header["classes"])):
            raise ModelError(f"{path}: weights do not match features and classes")
        if any(w.shape != (len(buckets),) for w, _ in heads.values()):
            raise ModelError(f"{path}: class head weights do not match features")
        if emergency is not None and emergency[1].shape != (len(buckets), len(emergency[0])):
            raise ModelError(f"{path}: emergency head weights do not match features")
        if matter_head is not None and (matter_head[1].max(initial=-1) >= len(buckets)
                                        or matter_head[2].max(initial=-1) >= len(matter_head[0])):
            raise ModelError(f"{path}: matter head weights do not match features and matters")
        return cls(header["classes"], buckets, idf, weights, intercept, header.get("trained_on", {}),
                   float(header.get("sharpness", 4.0)), heads, emergency, matter_head)


def _catalogue_documents(matter: Matter) -> list[tuple[str, float]]:
    docs: list[tuple[str, float]] = [(matter.name, 1.0)]
    docs.extend((example, 1.0) for example in matter.examples)
    positive = [t.label.replace("&", "") for t in matter.terms if t.weight > 0]
    # Terms, a few at a time, as short pseudo-appeals.
    for i in range(0, len(positive), 4):
        docs.append(("，".join(positive[i : i + 4]), 0.7))
    return docs


def resolve_label(record: LabelledRecord, catalogue: Catalogue) -> str | None:
    """The owner a historical record teaches: its matter's owner, else its department, else its
    level (`village` / `township` for grassroots matters); None when it names nothing known."""
    if record.matter and record.matter in catalogue:
        return catalogue.get(record.matter).owner
    if record.dept:
        return record.dept if record.dept in catalogue.departments else None
    if record.level in ("village", "township"):
        return record.level
    return None


def train(
    catalogue: Catalogue,
    history: Iterable[LabelledRecord] = (),
    *,
    seed: Iterable[LabelledRecord] = (),
    normalise: object = None,
    history_weight: float = 2.0,
    regularisation: float = 0.5,
    owner_regularisation: float = OWNER_C,
) -> LearnedModel:
    """Train a model of owners (county departments, `village`, `township`) from catalogue
    examples plus labelled history.

    The model decides who owns an appeal; which of the owner's matters it is comes from the
    catalogue rules. Owners have many examples each where matters have a handful, so the model
    generalises better, and its weights are small enough to stay in cache.

    `normalise` (callable text → text) must be the router's normaliser so that training and
    routing see the same text; `history_weight` multiplies each record's own weight (history is
    real appeals, worth more than catalogue examples). `seed` (the shipped seed appeals) is
    learnt from exactly as history is, before it, and counted apart in `trained_on` ("seed"
    against "history", the centre's own orders). `owner_regularisation` is the owner model's C,
    `regularisation` the matter head's.
    """
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    norm = normalise if callable(normalise) else (lambda s: s)
    texts: list[str] = []
    labels: list[str] = []
    weights: list[float] = []
    class_rows: list[int] = []  # rows of history that carry a whistle class
    class_labels: list[str] = []
    emergency_rows: list[int] = []  # rows of history that teach the emergency head
    emergency_labels: list[str] = []
    owner_rows: list[int] = []  # rows that teach the owner model (not the emergencies)
    counts = {"catalogue": 0, "seed": 0, "seed_skipped": 0, "history": 0, "history_skipped": 0}
    matter_codes: list[str] = []  # the matter of each catalogue row (the first rows)
    for matter in catalogue:
        for text, weight in _catalogue_documents(matter):
            matter_codes.append(matter.code)
            owner_rows.append(len(texts))
            texts.append(norm(text))
            labels.append(matter.owner)
            weights.append(weight)
            counts["catalogue"] += 1
    sourced = [*(("seed", r) for r in seed), *(("history", r) for r in history)]
    for source, record in sourced:
        label = resolve_label(record, catalogue)
        if record.redirect and record.text.strip():
            label = label or EMERGENCY_NONE
        elif label is None or not record.text.strip():
            counts[f"{source}_skipped"] += 1
            continue
        else:
            owner_rows.append(len(texts))
        if record.whistle_class:
            class_rows.append(len(texts))
            class_labels.append(record.whistle_class)
            emergency_rows.append(len(texts))
            emergency_labels.append(record.redirect or EMERGENCY_NONE)
        texts.append(norm(record.text))
        labels.append(label)
        weights.append(record.weight * history_weight)
        counts[source] += 1

    rows = [gram_hashes(t).astype(np.intp) for t in texts]
    buckets, inverse = np.unique(np.concatenate(rows), return_inverse=True)
    df = np.bincount(inverse, minlength=len(buckets))
    n_docs = len(texts)
    idf = (np.log((1 + n_docs) / (1 + df)) + 1.0).astype(np.float32)
    data: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    indptr = [0]
    offset = 0
    for row in rows:
        cols = inverse[offset : offset + len(row)]
        offset += len(row)
        vals = idf[cols]
        data.append(vals / (float(np.sqrt(vals @ vals)) or 1.0))
        indices.append(cols)
        indptr.append(indptr[-1] + len(row))
    matrix = csr_matrix(
        (np.concatenate(data), np.concatenate(indices), indptr), shape=(n_docs, len(buckets)), dtype=np.float32
    )
    owner_labels = [labels[i] for i in owner_rows]
    classes = sorted(set(owner_labels))
    if len(classes) < 2:
        raise ModelError("training needs at least two distinct matters")
    # A linear SVM (one-vs-rest, liblinear) trains in about a second on the whole catalogue,
    # twenty times faster than multinomial logistic regression, and ranks as well.
    clf = LinearSVC(C=owner_regularisation)
    clf.fit(matrix[owner_rows], owner_labels, sample_weight=np.asarray(weights)[owner_rows])
    order = [list(clf.classes_).index(c) for c in classes]
    coef = np.asarray(clf.coef_, dtype=np.float32)[order]
    intercept = np.asarray(clf.intercept_, dtype=np.float32)[order]
    # The rules know the named hazards and complaint histories; these heads learn how people
    # actually describe danger now, or a problem that has dragged on, from labelled appeals.
    class_heads: dict[str, tuple[np.ndarray, float]] = {}
    if len(class_rows) >= MIN_CLASS_EXAMPLES:
        from sklearn.linear_model import LogisticRegression

        for name in CLASS_HEADS:
            target = [label == name for label in class_labels]
            if 0 < sum(target) < len(target):
                head = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
                head.fit(matrix[class_rows], target)
                class_heads[name] = (np.asarray(head.coef_[0], dtype=np.float32), float(head.intercept_[0]))
        counts["class_heads"] = len(class_rows)
    emergency_head = _train_emergency_head(matrix, emergency_rows, emergency_labels)
    if emergency_head is not None:
        counts["emergency_head"] = len(emergency_rows)
    matter_head = _train_matter_head(matrix, matter_codes, weights[: len(matter_codes)], regularisation)
    if matter_head is not None:
        counts["matter_head"] = len(matter_codes)
    return LearnedModel(
        classes=classes,
        buckets=buckets,
        idf=idf,
        weights=np.ascontiguousarray(coef.T),
        intercept=intercept,
        trained_on=counts,
        class_heads=class_heads,
        emergency_head=emergency_head,
        matter_head=matter_head,
    )


def _train_matter_head(matrix: object, codes: list[str], weights: list[float], regularisation: float
                       ) -> MatterHead | None:
    """A linear head over catalogue matters from the catalogue's documents (the first rows of
    `matrix`): which matter an appeal's words lean to, in n-grams the examples teach beyond the
    rules' terms (no labelled appeal names a matter). Weights under MATTER_HEAD_PRUNE are dropped:
    the head is a few hundred kilobytes, not a dense features × matters table."""
    names = sorted(set(codes))
    if len(names) < 2:
        return None
    from sklearn.svm import LinearSVC

    clf = LinearSVC(C=regularisation, random_state=0)
    clf.fit(matrix[: len(codes)], codes, sample_weight=np.asarray(weights))  # type: ignore[index]
    coef = np.asarray(clf.coef_, dtype=np.float32)
    intercept = np.asarray(clf.intercept_, dtype=np.float32)
    if len(names) == 2:  # binary: sklearn gives one row for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    order = [list(clf.classes_).index(c) for c in names]
    coef, intercept = coef[order], intercept[order]
    cols, rows = np.nonzero(np.abs(coef) >= MATTER_HEAD_PRUNE)
    return names, rows.astype(np.int32), cols.astype(np.int16), coef[cols, rows], intercept


def _train_emergency_head(matrix: object, rows: list[int], labels: list[str]
                          ) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """A multinomial logistic head: which emergency line, or none, from appeals labelled with a
    whistle class (and their line when they were emergencies). It learns how people describe an
    emergency in words the cue lexicon lacks; the router weighs it with the cues' own evidence."""
    if len(rows) < MIN_CLASS_EXAMPLES or sum(1 for label in labels if label != EMERGENCY_NONE) < 10:
        return None
    from sklearn.linear_model import LogisticRegression

    # C=16 rather than 8: with train_x/train_y in the seed the softer head called look-alikes that only
    # share an emergency's words (someone fishing by deep water, a flooded garage); leave-one-set-out over
    # the 18 seed sets, false alarms 75 -> 65 for 736 -> 731 redirects caught (all 5 on train_y's own fold)
    head = LogisticRegression(C=EMERGENCY_HEAD_C, class_weight="balanced", max_iter=3000)
    head.fit(matrix[rows], labels)  # type: ignore[index]
    names = [str(c) for c in head.classes_]
    coef = np.asarray(head.coef_, dtype=np.float32)
    intercept = np.asarray(head.intercept_, dtype=np.float32)
    if len(names) == 2:  # binary: sklearn gives one row for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    return names, np.ascontiguousarray(coef.T), intercept


def records_from_dicts(rows: Sequence[dict[str, object]]) -> list[LabelledRecord]:
    """Build LabelledRecords from plain dicts (keys text, matter, dept, level, weight, class,
    redirect)."""
    out = []
    for row in rows:
        out.append(
            LabelledRecord(
                text=str(row.get("text", "")),
                matter=(str(row["matter"]) if row.get("matter") else None),
                dept=(str(row["dept"]) if row.get("dept") else None),
                level=(str(row["level"]) if row.get("level") else None),
                weight=float(row.get("weight", 1.0)),  # type: ignore[arg-type]
                whistle_class=(str(row["class"]) if row.get("class") else None),
                redirect=(str(row["redirect"]) if row.get("redirect") else None),
            )
        )
    return out


SEED_PATH = Path(__file__).parent / "data" / "seed" / "labelled_appeals.jsonl"


def seed_records(path: Path = SEED_PATH) -> list[LabelledRecord]:
    """The labelled appeals shipped with the product (written for it, independently of the
    catalogue): the history a new centre starts from, before its own orders teach the model.
    A missing file is an error (an incomplete installation), never an empty list: without it the
    router would silently be the weaker one."""
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read the seed appeals: {exc}") from exc
    return records_from_dicts(rows)
