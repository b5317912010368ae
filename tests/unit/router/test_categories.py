"""The broad message-board category of a routed appeal."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.categories import CategoryMap, category_of, default_categories
from router.exceptions import LexiconError
from router.service import Router
from schemas.taxonomy import COUNTY_DEPARTMENTS


def test_every_department_and_level_has_a_category() -> None:
    cats = default_categories()
    for owner in [*COUNTY_DEPARTMENTS, "village", "township"]:
        assert cats.of(None, owner) in cats.categories, owner


def test_matters_filed_elsewhere_than_their_owner() -> None:
    assert category_of({"matter": "urban_mgmt.restaurant_fumes", "dept": "urban_mgmt", "level": "county"}) == "环境保护"
    assert category_of({"matter": "urban_mgmt.street_vending", "dept": None, "level": "township"}) == "城乡建设"
    assert category_of({"matter": None, "dept": "traffic_police", "level": "county"}) == "交通运输"


def test_every_mapped_matter_exists_in_the_catalogue(router: Router) -> None:
    for code in default_categories().matters:
        assert code in router.parts.catalogue, code


def test_an_unknown_category_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "categories.yaml"
    path.write_text("categories: [城乡建设]\ndepartments: {housing: 住房}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="住房"):
        CategoryMap.from_file(path)
