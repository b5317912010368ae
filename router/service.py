"""The router's public entry point: `Router.route(text) -> RoutingDecision`.

Order of decisions for one appeal: normalise → emergency redirect → matter (rules + model) →
place (gazetteer) → level and unit (631 policy) → whistle class → confidence and explanation.
`route` is pure: everything it needs is loaded when the router is built.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from router.calibration import DEFAULT_CALIBRATION, DEFAULT_CLASS_CALIBRATION, Calibrator, ClassCalibrator
from router.catalogue import Catalogue, load_catalogue
from router.classifier import MatterClassifier, Ranking
from router.emergency import EmergencyDetector
from router.exceptions import ModelError, UnknownUnitError
from router.gazetteer import CENTRE, Gazetteer, load_gazetteer
from router.learning import EMERGENCY_NONE, LearnedModel, seed_records, train
from router.models import (
    EmergencyCall,
    LabelledRecord,
    Location,
    Matter,
    RoutingHistory,
    ScoredMatter,
    Unit,
    WhistleAssessment,
)
from router.normalise import Normaliser
from router.policy import LevelPolicy, Placement
from router.reading import FOCUS_ROLES, MessageReader, Reading
from router.segment import PhraseIndex, Scan, jieba_tokenizer
from router.shipped import shipped_model_path
from router.thresholds import MatterThresholds
from router.whistle import WhistleRules
from schemas.routing import Candidate, RoutingDecision
from schemas.taxonomy import COUNTY_DEPARTMENTS, EmergencyLine, Level, UnitKind, WhistleClass

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_CATALOGUE = DATA_DIR / "catalogue"
DEFAULT_GAZETTEER = DATA_DIR / "gazetteer.yaml"
DEFAULT_LEXICON = DATA_DIR / "lexicon"

# Who follows up an emergency the hotline hands over (for records and statistics).
EMERGENCY_OWNERS: dict[EmergencyLine, str] = {
    EmergencyLine.police: "police",
    EmergencyLine.fire: "fire_rescue",
    EmergencyLine.medical: "health",
    EmergencyLine.traffic: "traffic_police",
}
_LEVEL_NAMES = {"village": "村/社区", "township": "乡镇/街道", "county": "县直部门"}


# The learned emergency head: with cue evidence of at least PARTIAL_CUES × the threshold it calls the
# cues' line from LEARNED_WITH_CUES; alone it calls its own line from LEARNED_ALONE.
PARTIAL_CUES = 0.5
# A long letter's cues stand only when the learned head gives at least this (router.service._told_as_background).
LONG_LETTER_DANGER_FLOOR = 0.15
LEARNED_WITH_CUES = 0.3
# 0.525 rather than 0.5 once train_aa joined: leave-one-set-out over the 20 seed sets (with LEARNED_LINE_SHARE),
# 867 -> 866 of 918 redirects for 71 -> 68 false alarms (a gas manhole leaking beside children lost; a petrol stall,
# a cylinder's hiss, a rusted swing spared); 0.52: 866 / 70, 0.53: 865 / 68. Look-alikes the head alone called at
# 0.51-0.52 (a flooded garage with nobody in it, a stairwell smelling of gas: tests/unit/router/data) stay calls
# for their unit.
# 0.53 once train_ae joined (24 sets, pooled, the head retrained): 1196 of 1216 redirects either way, false
# alarms 73 -> 71 (a bonfire of paper "烟很大" at 0.528 spared); 0.55: 1195 / 68 (a worker hanging from
# scaffolding lost, 0.537).
LEARNED_ALONE = 0.53
# From this emergency probability the learned head alone is not vetoed by a word of the past or a habit somewhere
# in the text ("他以前有心脏病", "听说里面还有人没出来", "已经吐了好几次了"): it was trained on look-alikes that tell
# of the past, and words of resolution, fear or a request still veto it. Leave-one-set-out over the 22 seed sets,
# pooled: 3 more emergencies on the right line, false alarms unchanged (0.8 / 0.95 the same; 0.7: 2 more false
# alarms, a car parked for half a year and a crash of last week).
LEARNED_SURE = 0.9
# The learned head alone calls a line only on a text that tells something: at least this many Chinese characters.
# On a greeting or a bare number ("你好", "电话138 1234 5678") it has little but its bias and the greetings of the
# emergency calls it learned from to go on, and called 120 and 119 at 0.75 and 0.81; the shortest of the 1,216 seed
# emergencies tells it in 8 ("楼下有人拿刀砍人"), and shorter cries (着火了, 救命) are the cue lexicon's.
LEARNED_ALONE_MIN_TOLD = 6
# The confidence of a dispatched decision on a text that tells fewer Chinese characters than that and names no
# term of any matter ("嗯" 0.525, "在吗" 0.454, "123" 0.304 before): whatever the model leans to, a dispatcher reads it.
LITTLE_TOLD_CONFIDENCE = 0.1
# The cues find an emergency but may name the wrong line (a crash told without the lexicon's collision words
# read as 120's injury, a lift that stops read as 110's people held): the learned head's line is taken when it
# gives that line at least this share of its emergency probability. Leave-one-set-out over the 20 seed sets,
# pooled: 857 -> 867 of 918 redirects on the right line, wrong lines 28 -> 18, false alarms unchanged (71);
# 0.5 / 0.6 / 0.7 / 0.85 gave 861 / 864 / 865 / 865.
LEARNED_LINE_SHARE = 0.8

# The learned owner model's say beside the catalogue rules (rule score + MODEL_WEIGHT × the owner's
# probability). 6 rather than 3: leave-one-set-out over the eight seed sets, department top-1 94.6 ->
# 95.1% and level balanced accuracy 90.6 -> 92.1% on average (4.5: 95.1 / 91.4, 8: 95.0 / 91.9).
# 8 rather than 6 once the model learned from 18 sets (OWNER_C 1.0): leave-one-set-out over them, pooled,
# level balanced 86.58 -> 87.98% (village recall 84.6 -> 86.3%, township 79.3 -> 82.2%), department top-1
# 89.04 -> 88.93%, auto-dispatched at 0.8 78.93% (93.99% right) -> 79.41% (93.91%) (10: level 88.65%,
# department 88.68%; 4.5: level 84.65%).
# 9 rather than 8 once train_aa joined (20 seed sets, pooled): level balanced 88.86 -> 89.55%, department top-1
# 89.86 -> 89.94%, auto-dispatched at 0.8 81.62% (94.17% right) -> 81.95% (94.08%), at 0.95 56.09% (97.74%) ->
# 56.38% (97.75%) (10: level 89.69%, department 89.94%, 0.95 tier 55.90%; 11: department 89.82%; 12: 89.57%).
MODEL_WEIGHT = 9.0

# A learned class head raises an appeal to its class at or above these probabilities. Urgent 0.55 and hard 0.8
# rather than 0.6 and 0.6: leave-one-set-out over the 20 seed sets pooled, urgent recall 94.21 -> 95.05%, class
# accuracy 82.78 -> 82.87% (hard 0.7 / 0.8 / 0.9 alone: class 83.01 / 83.08 / 82.83%, urgent unchanged; urgent 0.5
# with hard 0.8: urgent 95.57%, class 82.52%; urgent 0.7: 92.51%).
LEARNED_CLASS_THRESHOLDS = {WhistleClass.urgent: 0.55, WhistleClass.hard: 0.8}
# The learned matter leaning (`Router.matter_leaning`): its likeliest matters kept, and how sharply
# the head's margins become probabilities (its margins are small: 183 matters from a few examples each).
LEANING_TOP = 8
LEANING_SHARPNESS = 16.0
NEAR_SHARE = 0.5  # Router.matters_near: runners-up this close to the best's score
NEAR_TOP = 4
_CLASS_RANK = {WhistleClass.ordinary: 0, WhistleClass.hard: 1, WhistleClass.urgent: 2}
_WHISTLE_CLASSES = {whistle_class.value: whistle_class for whistle_class in WhistleClass}  # no enum call a pass
# what `_told` does not count, found in one regex pass: a generator over the characters cost a short appeal 50,000
# instructions
_NOT_TOLD = re.compile("[^\u4e00-\u9fff]+")


@dataclass(frozen=True)
class RouterParts:
    """Everything a router is built from (loaded once, shared by copies)."""

    normalise: Normaliser
    catalogue: Catalogue
    gazetteer: Gazetteer
    emergency: EmergencyDetector
    whistle: WhistleRules
    policy: LevelPolicy
    reader: MessageReader


def load_parts(catalogue_dir: Path, gazetteer_path: Path, lexicon_dir: Path = DEFAULT_LEXICON) -> RouterParts:
    """Load and validate catalogue, gazetteer and lexicons (raises the router's load errors)."""
    normalise = Normaliser.from_file(lexicon_dir / "variants.yaml")
    catalogue = load_catalogue(catalogue_dir, normalise=normalise)
    gazetteer = load_gazetteer(gazetteer_path, normalise=normalise)
    return RouterParts(
        normalise=normalise,
        catalogue=catalogue,
        gazetteer=gazetteer,
        emergency=EmergencyDetector.from_file(lexicon_dir / "emergency.yaml", normalise),
        whistle=WhistleRules.from_file(lexicon_dir / "whistle.yaml", normalise),
        policy=LevelPolicy.from_file(lexicon_dir / "policy.yaml", gazetteer, normalise),
        reader=MessageReader.from_file(lexicon_dir / "reading.yaml", normalise),
    )


class Router:
    """Routes an appeal text to a decision: redirect, matter, class, level, unit, confidence."""

    def __init__(self, parts: RouterParts, model: LearnedModel | None = None, *,
                 model_weight: float = MODEL_WEIGHT, calibrator: Calibrator | None = None,
                 class_calibrator: ClassCalibrator | None = None) -> None:
        self.parts = parts
        self.model = model
        self.calibrator = calibrator
        # the class calibration reads the learned class and emergency heads: without them, rules and heads decide
        self.class_calibrator = class_calibrator if model is not None and model.class_heads and \
            model.emergency_head is not None else None
        self.classifier = MatterClassifier(parts.catalogue, model, model_weight=model_weight)
        self._units = self._build_units(parts.gazetteer)
        # One dictionary pass per appeal serves every module.
        self._dictionary_words = (
            set(self.classifier.vocabulary()) | set(parts.gazetteer.names()) | parts.emergency.words()
            | parts.whistle.words() | parts.policy.words()
        )
        self._dictionary = PhraseIndex(self._dictionary_words)
        # no phrase spans a line break: a scan of some lines of a text is read off the text's scan
        self._single_line = not any("\n" in word for word in self._dictionary_words)
        self._tokenizer: Any = None
        self._model_column = {owner: i for i, owner in enumerate(model.classes)} if model is not None else {}
        # the learned emergency head's answer for the last text asked about: one routing pass asks it up to three
        # times about the same text (the call, a long letter's background, the class's signals)
        self._last_danger: tuple[str, tuple[float, str] | None] | None = None

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def default(cls, model_path: Path | str | None = None) -> Router:
        """The shipped catalogue, gazetteer and lexicons, with a model trained from the catalogue
        (or the model at `model_path`, e.g. one trained from history). Cached: cheap to call again;
        a model file rewritten since (a new `hotline router train`) is loaded afresh."""
        if model_path is None:
            return _cached_router(None, 0)
        try:
            stamp = Path(model_path).stat().st_mtime_ns
        except OSError as exc:
            raise ModelError(f"{model_path}: cannot load router model: {exc}") from exc
        return _cached_router(str(model_path), stamp)

    @classmethod
    def from_paths(
        cls,
        catalogue_dir: Path | str = DEFAULT_CATALOGUE,
        gazetteer_path: Path | str = DEFAULT_GAZETTEER,
        *,
        lexicon_dir: Path | str = DEFAULT_LEXICON,
        model_path: Path | str | None = None,
        train_model: bool = True,
    ) -> Router:
        """A router over configured reference data; without `model_path` a model is trained from
        the catalogue examples (unless `train_model` is False: rules only)."""
        parts = load_parts(Path(catalogue_dir), Path(gazetteer_path), Path(lexicon_dir))
        model = None
        if model_path is not None:
            model = LearnedModel.load(Path(model_path))
        elif train_model:
            model = train(parts.catalogue, normalise=parts.normalise)
        return cls(parts, model)

    def with_model(self, model: LearnedModel | None) -> Router:
        """The same reference data and calibrations with another learned model."""
        return Router(self.parts, model, calibrator=self.calibrator, class_calibrator=self.class_calibrator)

    def with_calibrator(self, calibrator: Calibrator | None) -> Router:
        """The same reference data and model with another confidence calibration (None: the
        rules' uncalibrated score share)."""
        return Router(self.parts, self.model, calibrator=calibrator, class_calibrator=self.class_calibrator)

    def with_class_calibrator(self, class_calibrator: ClassCalibrator | None) -> Router:
        """The same reference data, model and confidence calibration with another class calibration
        (None: the rules, raised by the learned class heads)."""
        return Router(self.parts, self.model, calibrator=self.calibrator, class_calibrator=class_calibrator)

    def train(self, history: list[LabelledRecord], *, with_seed: bool = True) -> LearnedModel:
        """Train a model from this router's catalogue, the shipped seed appeals (unless
        `with_seed` is false) and labelled history (does not install it)."""
        return train(self.parts.catalogue, history, seed=seed_records() if with_seed else (),
                     normalise=self.parts.normalise)

    def words(self, text: str) -> list[str]:
        """The appeal cut into words by jieba with the router's own dictionary (catalogue terms,
        cue words, place names) added, so "楼道堆物" or "翠湖苑" stay whole. For review screens
        and tooling; routing itself reads the dictionary directly (jieba costs ~150 µs a text and
        about a second to load, built on first use)."""
        if self._tokenizer is None:
            self._tokenizer = jieba_tokenizer(self._dictionary_words)
        return [w for w in self._tokenizer.lcut(self.parts.normalise(text), HMM=True) if w.strip()]

    def matters_named(self, text: str, least: float = 2.0) -> frozenset[str]:
        """The catalogue matters the terms in `text` weigh most for (ties all), when that weight is at
        least `least`; the rules alone, no model. What the words say happened, in the catalogue's
        far wider vocabulary than any one list of incident words (停水, 没来水, 水厂&检修 …)."""
        scores = self.classifier.rule_scores(self.parts.normalise(text))
        top = max((score for score, _ in scores.values()), default=0.0)
        if top < least:
            return frozenset()
        matters = self.classifier.catalogue_matters
        return frozenset(matters[mi].code for mi, (score, _) in scores.items() if score >= top)

    def matters_near(self, text: str, share: float = NEAR_SHARE, top: int = NEAR_TOP) -> frozenset[str]:
        """The matters the router ranks `text` close to its best (rules, model and prior as in routing):
        the best and, of its next `top` - 1, those scoring at least `share` of the best's score with
        terms of their own in the text — what it would dispatch it as had a side word weighed a little
        less. (Runners-up with no term of theirs tie on the model's department and prior alone.)"""
        candidates = self.classifier.rank(self.parts.normalise(text), limit=top).candidates
        best = candidates[0].score
        return frozenset(c.matter.code for c in candidates
                         if c is candidates[0] or (c.terms and c.score >= share * best > 0))

    def matter_leaning(self, text: str, top: int = LEANING_TOP) -> dict[str, float]:
        """The learned model's leaning over catalogue matters for `text`: its `top` likeliest matters
        (softmax of the matter head's scores × LEANING_SHARPNESS), as a unit vector (matter →
        weight), so two leanings compare by a dot product. Empty without a model with a matter head.
        Learned from the catalogue's examples, it reads one matter in words the rules do not list."""
        scores = self.model.matter_scores(self.parts.normalise(text)) if self.model is not None else None
        if scores is None or self.model is None or self.model.matter_head is None:
            return {}
        best = np.argpartition(-scores, top)[:top] if len(scores) > top else np.arange(len(scores))
        # the softmax of the kept matters alone: its denominator goes with the scaling to unit length
        kept = np.exp((scores[best] - scores.max()) * LEANING_SHARPNESS)
        kept /= np.sqrt(kept @ kept)
        codes = self.model.matter_head[0]
        return dict(zip([codes[i] for i in best.tolist()], kept.tolist(), strict=True))

    # ---- units --------------------------------------------------------------------------

    @staticmethod
    def _build_units(gazetteer: Gazetteer) -> dict[str, Unit]:
        units = dict(gazetteer.units)
        for code, name in COUNTY_DEPARTMENTS.items():
            units[code] = Unit(code, name, UnitKind.department, Level.county, CENTRE)
        return units

    def units(self) -> dict[str, Unit]:
        """Every handling unit by code: departments, townships, villages, grids, the centre."""
        return dict(self._units)

    def unit(self, code: str) -> Unit:
        """The unit with this code; UnknownUnitError otherwise."""
        try:
            return self._units[code]
        except KeyError:
            raise UnknownUnitError(code) from None

    def parent_unit(self, code: str) -> Unit | None:
        """The unit one level up (上报 / 吹哨 target), None for the county centre."""
        parent = self.unit(code).parent
        return self._units[parent] if parent else None

    def township_units_for(self, unit_code: str) -> Unit | None:
        """The township government above a village or grid unit (itself for a township)."""
        unit = self.unit(unit_code)
        while unit.kind not in (UnitKind.township, UnitKind.centre, UnitKind.department):
            if unit.parent is None:
                return None
            unit = self._units[unit.parent]
        return unit if unit.kind is UnitKind.township else None

    # ---- routing ------------------------------------------------------------------------

    def route(
        self,
        text: str,
        *,
        channel: str | None = None,
        address: str | None = None,
        history: RoutingHistory | None = None,
        reopened: bool = False,
        thresholds: MatterThresholds | None = None,
    ) -> RoutingDecision:
        """Decide how to handle one appeal. Pure: `history` and `thresholds` (per-matter review
        thresholds learned from the centre's history, see router.thresholds) are the only outside
        inputs; with `thresholds` the decision carries its matter's `review_threshold`."""
        return self._decide(text, address=address, history=history, reopened=reopened, thresholds=thresholds)[0]

    def confidence_features(self, text: str, *, address: str | None = None) -> tuple[float, ...] | None:
        """The signals the confidence is calibrated from (router.calibration.FEATURES) for one
        appeal; None for an emergency redirect. For fitting and inspecting the calibration."""
        return self._decide(text, address=address)[1]

    def class_features(self, text: str, *, address: str | None = None) -> tuple[float, ...] | None:
        """The signals the whistle class is calibrated from (router.calibration.CLASS_FEATURES) for one
        appeal; None for an emergency redirect or a router without learned heads."""
        return self._decide(text, address=address)[2]

    def calibration_features(self, text: str) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
        """`confidence_features` and `class_features` of one appeal, from one routing pass."""
        _, features, class_features = self._decide(text)
        return features, class_features

    def _decide(
        self,
        text: str,
        *,
        address: str | None = None,
        history: RoutingHistory | None = None,
        reopened: bool = False,
        thresholds: MatterThresholds | None = None,
    ) -> tuple[RoutingDecision, tuple[float, ...] | None, tuple[float, ...] | None]:
        p = self.parts
        norm = p.normalise(text)
        norm_address = p.normalise(address) if address else None
        scan = Scan.of(self._dictionary, norm)
        location = p.gazetteer.locate(norm, norm_address, scan.hits)
        long = p.reader.is_long(norm)
        emergency = self._emergency(norm, scan, letter=long)
        # A long message is read for its main request: owner and class come from its subject,
        # problem and request, not from greetings, praise, background or a second topic.
        focus, focus_scan, reading = norm, scan, None
        if long:
            reading = p.reader.read(norm)
            focus = reading.focus
            spans = reading.focus_spans()  # none: the focus is the whole text
            if spans:
                # the focus's phrases are the text's within its sentences: no second scan
                focus_scan = scan.joined(spans, focus) if self._single_line else Scan.of(self._dictionary, focus)
        ranking = self.classifier.rank(focus, found=focus_scan.found)

        if emergency is not None:
            return self._redirect(emergency.line, emergency.cues, emergency.score, ranking, location), None, None

        best = ranking.best
        matter = best.matter
        placement = p.policy.place(matter, focus, location, focus_scan.found)
        place_code = location.village or location.township
        repeats = history.recent_similar(matter.code, place_code) if history is not None else 0
        if reading is not None:
            whistle = self._long_message_class(reading, focus_scan, matter, repeats=repeats, reopened=reopened)
            whole = p.whistle.assess(focus, matter, repeats=repeats, reopened=reopened, found=focus_scan.found)
        else:
            whole = whistle = p.whistle.assess(focus, matter, repeats=repeats, reopened=reopened,
                                               found=focus_scan.found)
        class_features = self._class_features(norm, focus, whistle, whole, matter, reading is not None)
        # a text that tells next to nothing and names no matter ("嗯", "你好", "123"): nothing to decide on, so
        # the rules' class stands (the calibration and the heads have only their bias to go on)
        little_told = not best.terms and _told(norm) < LEARNED_ALONE_MIN_TOLD
        if not little_told:
            if self.class_calibrator is not None and class_features is not None:
                whistle = self._calibrated_class(class_features, whistle, repeats=repeats, reopened=reopened)
            else:
                whistle = self._learned_class(focus, whistle)
        runner = ranking.runner_up
        features = self._confidence_features(focus, ranking, location, placement, reading is not None)
        confidence = features[0]
        if self.calibrator is not None:
            # with no keyword of its matter at all, the model alone cannot make a decision surer
            # than the uncalibrated share ("嗯嗯好的谢谢" is nobody's matter)
            calibrated = self.calibrator(features, matter.code)
            confidence = calibrated if best.terms else min(calibrated, confidence)
        if little_told:
            confidence = min(confidence, LITTLE_TOLD_CONFIDENCE)
        terms = tuple(sorted(best.terms, key=_term_order))
        decision = RoutingDecision(
            redirect=None,
            whistle_class=whistle.whistle_class,
            level=placement.level,
            dept=placement.dept,
            unit=placement.unit,
            assisting_units=list(placement.assisting_units),
            matter=matter.code,
            matter_name=matter.name,
            township=location.township,
            village=location.village,
            confidence=round(confidence, 3),
            explanation=self._explain(matter, terms, best.model_score if ranking.model_consulted else None,
                                      runner, placement, whistle.whistle_class, whistle.reason, location),
            decisive_terms=list(terms),
            runner_up=self._candidate(runner),
            top_departments=ranking.departments(),
            review_threshold=thresholds.for_matter(matter.code) if thresholds is not None else None,
        )
        return decision, features, class_features

    def _confidence_features(self, focus: str, ranking: Ranking, location: Location, placement: Placement,
                             long: bool) -> tuple[float, ...]:
        """The signals of router.calibration.FEATURES for a dispatched decision."""
        best = ranking.best
        owner = best.matter.owner
        runner = ranking.runner_up
        heuristic = ranking.confidence if best.score > 0 else 0.0
        margin = (best.score - runner.score) / 10.0 if runner is not None else 1.0
        model_owner = model_top = agrees = model_placed = 0.0
        if self.model is not None:
            probs = self.model.owner_probabilities(focus)
            model_top = max(probs)
            top = probs.index(model_top)
            column = self._model_column.get(owner)
            model_owner = probs[column] if column is not None else 0.0
            agrees = 1.0 if column == top else 0.0
            if best.matter.rural_level is not None:
                # a department's matter that a village or township handles outside the urban area (street
                # lights, stalls): the model's vote for that level is a vote for the matter, whose level the
                # 631 policy reads from the place, which the model does not see
                rural = self._model_column.get(best.matter.rural_level.value)
                model_owner += probs[rural] if rural is not None else 0.0
            # the owner the order goes to: the 631 policy may place a department's matter with a village or
            # township, or pass a village matter up, and the model may be sure of the one and not the other
            placed = placement.dept or placement.level.value
            if placed == owner:
                model_placed = model_owner
            else:
                column = self._model_column.get(placed)
                model_placed = probs[column] if column is not None else 0.0
        return (
            heuristic,
            min(max(best.rule_score, 0.0), 10.0) / 10.0,
            max(-1.0, min(1.0, margin)),
            model_owner,
            model_top,
            agrees,
            1.0 if best.matter.code.endswith(".other") else 0.0,
            1.0 if (location.township or location.named_villages) else 0.0,
            1.0 if placement.dept is None else 0.0,
            1.0 if long else 0.0,
            model_placed,
        )

    def emergency_line(self, text: str) -> EmergencyLine | None:
        """Only the first question of `route`: is this a call for 110/119/120/122 happening now?
        (Intake tells the operator at once, before the full routing pass.)"""
        norm = self.parts.normalise(text)
        found = self._emergency(norm, Scan.of(self._dictionary, norm), letter=self.parts.reader.is_long(norm))
        return found.line if found is not None else None

    def _emergency(self, norm: str, scan: Scan, *, letter: bool) -> EmergencyCall | None:
        """The emergency call, if any (`_called`); a long letter's only when the learned head does not
        all but rule it out (`_told_as_background`)."""
        call = self._called(norm, scan)
        return None if call is not None and letter and self._told_as_background(norm) else call

    def _called(self, norm: str, scan: Scan) -> EmergencyCall | None:
        """The emergency call, if any: the cue lexicon decides when its evidence reaches the
        threshold; below it, the learned emergency head (trained on appeals people actually wrote,
        emergencies and look-alikes) may complete partial cue evidence or, when it is sure on its
        own, name the line itself. Recall first: an emergency missed is the worst error."""
        detector = self.parts.emergency
        call = detector.assess(norm, scan.hits, scan.found)
        if call is not None and call.score >= detector.threshold:
            return self._learned_line(norm, call)
        learned = self._danger(norm)
        if learned is None:
            return None
        danger, line = learned
        if (call is not None and call.score >= detector.threshold * PARTIAL_CUES and danger >= LEARNED_WITH_CUES
                # half the cues and a head unsure on its own: the wording must allow now ("…我要投诉")
                and (danger >= LEARNED_ALONE or detector.may_be_now(scan.found, call.line))):
            return self._learned_line(norm, EmergencyCall(call.line, (*call.cues, f"learned {danger:.2f}"), call.score))
        if danger >= LEARNED_ALONE and line != EMERGENCY_NONE and _told(norm) >= LEARNED_ALONE_MIN_TOLD and \
                detector.may_be_now(scan.found, EmergencyLine(line), sure=danger >= LEARNED_SURE):
            return EmergencyCall(EmergencyLine(line), (f"learned {line} {danger:.2f}",), 2.0 * danger)
        return None

    def _learned_line(self, norm: str, call: EmergencyCall) -> EmergencyCall:
        """The cues' call on the learned head's line when the head all but names another
        (LEARNED_LINE_SHARE of its emergency probability): the cues said there is an emergency, the
        head, trained on how people tell each family, says whose it is."""
        probs = self.model.emergency_probabilities(norm) if self.model is not None else None
        if not probs:
            return call
        danger = 1.0 - probs.get(EMERGENCY_NONE, 0.0)
        line = max((label for label in probs if label != EMERGENCY_NONE), key=probs.__getitem__)
        if line == call.line.value or danger <= 0 or probs[line] < LEARNED_LINE_SHARE * danger:
            return call
        return EmergencyCall(EmergencyLine(line), (*call.cues, f"learned line {line} {probs[line] / danger:.2f}"),
                             call.score)

    def _told_as_background(self, norm: str) -> bool:
        """A long letter's emergency words with the learned head all but sure there is none: the
        letter tells of a past emergency or a fear to ask for a service put right ("上个月父亲中风…
        希望医院改进急诊流程"). Letters that are calls for help now score far above (leave-one-set-out
        over the seed sets' long messages: every true one at 0.26 or more, the false alarms 0.06, 0.09)."""
        learned = self._danger(norm)
        return learned is not None and learned[0] < LONG_LETTER_DANGER_FLOOR

    def _danger(self, norm: str) -> tuple[float, str] | None:
        """The learned emergency head's probability of an emergency in `norm` and its likeliest line (None
        without a model or head), remembered for the last text asked about."""
        last = self._last_danger
        if last is not None and last[0] == norm:
            return last[1]
        danger = self.model.emergency_danger(norm) if self.model is not None else None
        self._last_danger = (norm, danger)
        return danger

    def _long_message_class(self, reading: Reading, focus_scan: Scan, matter: Matter, *, repeats: int,
                            reopened: bool) -> WhistleAssessment:
        """A long message's class is its most pressing sentence's: cues of danger, scale and
        duration combine within one sentence (the subject, the problem, the request, what is
        happening now), not across a page of background, where they add up by sheer length.
        `focus_scan` is the dictionary scan of the focus, the focus sentences joined by line
        breaks."""
        whistle = self.parts.whistle
        best = whistle.assess("", matter, repeats=repeats, reopened=reopened)
        at = 0  # where the sentence begins in the focus
        most_urgent = most_hard = 0.0
        for role, sentence in reading.sentences:
            if role not in FOCUS_ROLES:
                continue
            if self._single_line:
                found = focus_scan.found_in(at, at + len(sentence))
            else:
                found = self._dictionary.found(sentence)
            at += len(sentence) + 1
            judged = whistle.assess(sentence, matter, repeats=repeats, reopened=reopened, found=found)
            if _CLASS_RANK[judged.whistle_class] > _CLASS_RANK[best.whistle_class]:
                best = judged
            most_urgent = max(most_urgent, judged.urgent_score)
            most_hard = max(most_hard, judged.hard_score)
        # the scores are the most pressing sentence's for each kind of cue
        return replace(best, urgent_score=most_urgent, hard_score=most_hard)

    def _class_features(self, norm: str, focus: str, rules: WhistleAssessment, whole: WhistleAssessment,
                        matter: Matter, long: bool) -> tuple[float, ...] | None:
        """The signals of router.calibration.CLASS_FEATURES (None without learned class and emergency heads)."""
        model = self.model
        if model is None:
            return None
        urgent = model.class_probability(WhistleClass.urgent.value, focus)
        hard = model.class_probability(WhistleClass.hard.value, focus)
        danger = self._danger(norm)
        if urgent is None or hard is None or danger is None:
            return None
        threshold = self.parts.whistle
        return (
            1.0 if rules.whistle_class is WhistleClass.hard else 0.0,
            1.0 if rules.whistle_class is WhistleClass.urgent else 0.0,
            min(rules.urgent_score, 8.0) / 4.0,
            min(rules.hard_score, 8.0) / 4.0,
            min(whole.urgent_score, 8.0) / 4.0,
            min(whole.hard_score, 8.0) / 4.0,
            1.0 if rules.urgent_score >= threshold.urgent_threshold else 0.0,
            1.0 if rules.hard_score >= threshold.hard_threshold else 0.0,
            1.0 if matter.whistle_class is WhistleClass.hard else 0.0,
            1.0 if matter.whistle_class is WhistleClass.urgent else 0.0,
            1.0 if matter.code in threshold.urgent_as_reported else 0.0,
            1.0 if rules.deferred or whole.deferred else 0.0,
            _log_odds(urgent),
            _log_odds(hard),
            math.log(max(danger[0], 1e-4)),
            1.0 if long else 0.0,
        )

    def _calibrated_class(self, features: tuple[float, ...], rules: WhistleAssessment, *, repeats: int,
                          reopened: bool) -> WhistleAssessment:
        """The class the class calibration gives; a repeat at the same place or a reopened order is at
        least hard (the calibration was fitted on appeals without a history)."""
        assert self.class_calibrator is not None
        chosen = _WHISTLE_CLASSES[self.class_calibrator(features)]
        if chosen is WhistleClass.ordinary and (repeats > 0 or reopened):
            chosen = WhistleClass.hard
        reason = f"calibrated {chosen.value}" + (f"; rules: {rules.reason}" if rules.reason else "")
        return rules.with_class(chosen, reason)

    def _learned_class(self, norm: str, whistle: WhistleAssessment) -> WhistleAssessment:
        """The rules name hazards and complaint histories; the learned heads recognise them in
        other words. They can only raise the class (ordinary -> hard -> urgent), never lower it."""
        if self.model is None:
            return whistle
        for target in (WhistleClass.urgent, WhistleClass.hard):
            if _CLASS_RANK[whistle.whistle_class] >= _CLASS_RANK[target]:
                return whistle
            p = self.model.class_probability(target.value, norm)
            if p is not None and p >= LEARNED_CLASS_THRESHOLDS[target]:
                reason = f"learned {target.value} {p:.2f}" + (f"; rules: {whistle.reason}" if whistle.reason else "")
                return whistle.with_class(target, reason)
        return whistle

    def _redirect(self, line: EmergencyLine, cues: tuple[str, ...], score: float, ranking: Ranking,
                  location: Location) -> RoutingDecision:
        dept = EMERGENCY_OWNERS[line]
        departments = [dept, *(d for d in ranking.departments() if d != dept)]
        ordered = sorted(cues, key=_term_order)
        return RoutingDecision(
            redirect=line,
            whistle_class=WhistleClass.urgent,
            level=Level.county,
            dept=dept,
            unit=dept,
            matter=None,
            matter_name=f"紧急警情 转{line.value}",
            township=location.township,
            village=location.village,
            confidence=round(min(1.0, 0.55 + score / 10), 3),
            explanation=f"紧急情况，立即转{line.value}（依据：{'、'.join(ordered)}）；不派单",
            decisive_terms=ordered,
            runner_up=self._candidate(ranking.best),
            top_departments=departments[:5],
        )

    @staticmethod
    def _candidate(cand: object) -> Candidate | None:
        if not isinstance(cand, ScoredMatter):
            return None
        return Candidate(matter=cand.matter.code, dept=cand.matter.dept, level=cand.matter.level,
                         score=round(cand.score, 3))

    @staticmethod
    def _explain(matter: Matter, terms: tuple[str, ...], model_score: float | None, runner: object,
                 placement: Placement, whistle: WhistleClass, whistle_reason: str,
                 location: Location) -> str:
        parts = [f"事项：{matter.name}（{matter.code}）"]
        if terms:
            parts.append(f"关键词：{'、'.join(terms[:6])}")
        if model_score is not None:
            parts.append(f"模型概率 {model_score:.2f}")
        if isinstance(runner, ScoredMatter):
            parts.append(f"次选：{runner.matter.name}（{runner.score:.2f}）")
        where = location.most_specific.name if location.most_specific else "地点未识别"
        parts.append(f"地点：{where}")
        parts.append(f"层级：{_LEVEL_NAMES[str(placement.level)]}（{placement.reason}）")
        parts.append(f"类别：{whistle}（{whistle_reason}）")
        return "；".join(parts)


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


def _term_order(term: str) -> tuple[int, str]:
    """Matched words come from a set: shown longest first, in one order whatever the hash seed."""
    return -len(term), term


@lru_cache(maxsize=4)
def _cached_router(model_path: str | None, stamp: int) -> Router:
    """One router per (model file, modification time); `stamp` only keys the cache."""
    parts = _cached_parts()
    model = LearnedModel.load(Path(model_path)) if model_path is not None else _default_model()
    return Router(parts, model, calibrator=_default_calibrator(), class_calibrator=_default_class_calibrator())


@lru_cache(maxsize=1)
def _default_calibrator() -> Calibrator | None:
    return Calibrator.load() if DEFAULT_CALIBRATION.exists() else None


@lru_cache(maxsize=1)
def _default_class_calibrator() -> ClassCalibrator | None:
    return ClassCalibrator.load() if DEFAULT_CLASS_CALIBRATION.exists() else None


@lru_cache(maxsize=1)
def _cached_parts() -> RouterParts:
    return load_parts(DEFAULT_CATALOGUE, DEFAULT_GAZETTEER)


@lru_cache(maxsize=1)
def _default_model() -> LearnedModel:
    shipped = shipped_model_path()
    if shipped is not None:
        return LearnedModel.load(shipped)
    return train_default_model()


def train_default_model() -> LearnedModel:
    """The default model trained from the shipped catalogue and seed appeals (no history)."""
    parts = _cached_parts()
    return train(parts.catalogue, seed=seed_records(), normalise=parts.normalise)


def _told(norm: str) -> int:
    """How much a text tells, in Chinese characters (digits, letters and punctuation tell no matter)."""
    return len(norm) - sum(map(len, _NOT_TOLD.findall(norm)))
