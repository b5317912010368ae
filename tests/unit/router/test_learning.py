"""Learning from history: train, save, load, and route accordingly."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.exceptions import ModelError
from router.learning import LearnedModel, records_from_dicts, train
from router.models import LabelledRecord
from router.service import Router

# An invented local nickname the catalogue knows nothing about: only history can teach it.
SLANG = "蓝房子那边又闹腾了，蓝房子的事谁管"


def test_a_model_trained_on_corrections_routes_new_texts_accordingly(router: Router, tmp_path: Path) -> None:
    history = [
        LabelledRecord(text="蓝房子那边又闹腾了，请处理", dept="culture_tourism", weight=3.0),
        LabelledRecord(text="蓝房子的事没人管", matter="culture_tourism.entertainment_venues", weight=3.0),
        LabelledRecord(text="蓝房子半夜还闹腾", dept="culture_tourism", weight=3.0),
        LabelledRecord(text="蓝房子门口闹腾到天亮", dept="culture_tourism", weight=3.0),
    ]
    model = router.train(history, with_seed=False)
    assert model.trained_on["history"] == 4
    path = tmp_path / "router-model.npz"
    model.save(path)

    loaded = LearnedModel.load(path)
    assert loaded.classes == model.classes
    taught = Router.default(model_path=path)
    assert taught.route(SLANG).dept == "culture_tourism"
    assert Router.default(model_path=path) is taught  # cached
    untaught = router.train([], with_seed=False)
    untaught.save(path)
    import os

    os.utime(path, ns=(1, 1))  # a rewritten file, whatever the clock's resolution
    assert Router.default(model_path=path) is not taught


def test_the_shipped_seed_is_counted_apart_from_the_centres_own_history(router: Router) -> None:
    """`hotline router train` prints what the model learnt from: the shipped seed appeals are not
    the centre's history."""
    seed = [LabelledRecord(text="蓝房子那边又闹腾了，请处理", dept="culture_tourism"),
            LabelledRecord(text="随便说说", dept="not_a_department")]
    history = [LabelledRecord(text="蓝房子门口闹腾到天亮", dept="culture_tourism", weight=3.0)]
    model = train(router.parts.catalogue, history, seed=seed, normalise=router.parts.normalise)
    assert (model.trained_on["seed"], model.trained_on["seed_skipped"]) == (1, 1)
    assert (model.trained_on["history"], model.trained_on["history_skipped"]) == (1, 0)


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot load router model"):
        Router.default(model_path=tmp_path / "nothing.npz")


def test_records_from_plain_rows() -> None:
    rows = [{"text": "a", "dept": "tax"}, {"text": "b", "matter": "tax.invoice", "level": "county", "weight": 2}]
    records = records_from_dicts(rows)
    assert records[0].dept == "tax" and records[1].matter == "tax.invoice" and records[1].weight == 2.0


def test_records_without_a_usable_label_are_skipped(router: Router) -> None:
    model = router.train([LabelledRecord(text="随便说说", dept="not_a_department")], with_seed=False)
    assert model.trained_on["history_skipped"] == 1


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load router model"):
        LearnedModel.load(path)


def test_the_shipped_model_learns_classes_from_the_seed_appeals_and_keeps_them_when_saved(tmp_path: Path) -> None:
    router = Router.default()
    model = router.model
    assert model is not None and model.trained_on.get("class_heads", 0) >= 50
    norm = router.parts.normalise
    danger = norm("河水已经漫进好几户人家里了，雨还在下，老人走不出来")
    calm = norm("想咨询一下明年孩子上学报名需要准备哪些材料")
    p_danger, p_calm = model.class_probability("urgent", danger), model.class_probability("urgent", calm)
    assert p_danger is not None and p_calm is not None and p_danger > p_calm
    model.save(tmp_path / "m.npz")
    again = LearnedModel.load(tmp_path / "m.npz")
    assert again.class_probability("urgent", danger) == pytest.approx(p_danger, abs=1e-5)
    assert again.class_probability("hard", danger) is not None


def test_a_model_trained_without_class_labels_has_no_class_heads(router: Router) -> None:
    model = router.train([LabelledRecord(text="蓝房子那边又闹腾了", dept="culture_tourism")], with_seed=False)
    assert model.class_probability("urgent", "随便什么") is None


def test_the_emergency_head_learns_how_people_describe_an_emergency_the_cues_do_not_know(router: Router) -> None:
    """Appeals labelled with their emergency line teach the head a phrasing no cue names; a new
    appeal in that phrasing is redirected, and ordinary appeals are not."""
    history = [
        LabelledRecord(text=f"{place}有人遭了黑手，{how}", dept="police", level="county",
                       whistle_class="urgent", redirect="110")
        for place in ("村口", "桥头", "菜场", "车站", "巷子里", "河边")
        for how in ("快派人来", "人还在那里", "遭黑手的在喊")
    ]
    history += [
        LabelledRecord(text=text, dept=dept, level="county", whistle_class="ordinary")
        for text, dept in [("村口路灯坏了好几天", "urban_mgmt"), ("桥头有人乱摆摊", "urban_mgmt"),
                           ("菜场秤不准缺斤少两", "market"), ("车站班车太少", "transport"),
                           ("巷子里垃圾没人清", "urban_mgmt"), ("河边有人钓鱼乱丢垃圾", "urban_mgmt")] * 10
    ]
    model = router.train(history, with_seed=False)
    probs = model.emergency_probabilities(router.parts.normalise("学校门口有个人遭了黑手"))
    assert probs is not None and 1 - probs["none"] > 0.5
    taught = router.with_model(model)
    assert taught.route("学校门口有个人遭了黑手，快派人来").redirect is not None
    assert taught.route("学校门口的路灯坏了好几天").redirect is None


def test_the_matter_head_reads_one_matter_in_words_the_rules_do_not_list(router: Router, tmp_path: Path) -> None:
    """The learned matter leaning: two tellings of a leaning pole lean alike, a lift does not; the
    head survives a save and load."""

    def leaning_alike(a: dict[str, float], b: dict[str, float]) -> float:
        return sum(w * b.get(m, 0.0) for m, w in a.items())

    pole = router.matter_leaning("那根电线杆歪得厉害，线都快垂到头顶了")
    again = router.matter_leaning("门口的电杆倾斜，电线耷拉下来挡路")
    lift = router.matter_leaning("电梯卡在半空，里面有人出不来")
    assert leaning_alike(pole, again) > 0.9 > leaning_alike(pole, lift)
    assert sum(w * w for w in pole.values()) == pytest.approx(1.0)
    assert router.model is not None
    router.model.save(tmp_path / "m.npz")
    loaded = Router.default(model_path=tmp_path / "m.npz")
    assert loaded.matter_leaning("门口的电杆倾斜，电线耷拉下来挡路") == pytest.approx(again)


def test_a_model_without_a_matter_head_leans_nowhere(router: Router) -> None:
    model = router.train([], with_seed=False)
    bare = LearnedModel(model.classes, model.buckets, model.idf, model.weights, model.intercept, {})
    assert router.with_model(bare).matter_leaning("电梯坏了") == {}
    assert router.with_model(None).matter_leaning("电梯坏了") == {}
