"""Learning from history: train, save, load, and route accordingly."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.exceptions import ModelError
from router.learning import LearnedModel, records_from_dicts
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
    model = router.train(history)
    assert model.trained_on["history"] == 4
    path = tmp_path / "router-model.npz"
    model.save(path)

    loaded = LearnedModel.load(path)
    assert loaded.classes == model.classes
    taught = Router.default(model_path=path)
    assert taught.route(SLANG).dept == "culture_tourism"
    assert Router.default(model_path=path) is taught  # cached
    untaught = router.train([])
    untaught.save(path)
    import os

    os.utime(path, ns=(1, 1))  # a rewritten file, whatever the clock's resolution
    assert Router.default(model_path=path) is not taught


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot load router model"):
        Router.default(model_path=tmp_path / "nothing.npz")


def test_records_from_plain_rows() -> None:
    rows = [{"text": "a", "dept": "tax"}, {"text": "b", "matter": "tax.invoice", "level": "county", "weight": 2}]
    records = records_from_dicts(rows)
    assert records[0].dept == "tax" and records[1].matter == "tax.invoice" and records[1].weight == 2.0


def test_records_without_a_usable_label_are_skipped(router: Router) -> None:
    model = router.train([LabelledRecord(text="随便说说", dept="not_a_department")])
    assert model.trained_on["history_skipped"] == 1


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load router model"):
        LearnedModel.load(path)
