"""Catalogue loading and validation: bad reference data fails at start-up with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.catalogue import load_catalogue, parse_term
from router.exceptions import CatalogueError
from router.service import DEFAULT_CATALOGUE, Router
from schemas.taxonomy import COUNTY_DEPARTMENTS, Level


def _identity(text: str) -> str:
    return text


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """
dept: market
matters:
  - code: market.sample
    name: 样例事项
    terms: [过期食品, "变质:2"]
"""


def test_shipped_catalogue_covers_every_department_and_both_grassroots_levels(router: Router) -> None:
    catalogue = router.parts.catalogue
    assert len(catalogue) >= 150
    owners = {m.dept for m in catalogue}
    assert set(COUNTY_DEPARTMENTS) <= owners
    levels = {m.level for m in catalogue if m.dept is None}
    assert levels == {Level.village, Level.township}
    assert all(m.examples for m in catalogue)


def test_a_valid_file_loads_with_weights() -> None:
    term = parse_term("吃了&拉肚子:2.5", _identity)
    assert term.parts == ("吃了", "拉肚子") and term.weight == 2.5


def test_unknown_department_names_file_and_matter(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.yaml", GOOD.replace("dept: market", "dept: market\n").replace(
        "    name: 样例事项", "    name: 样例事项\n    dept: moon_office"))
    with pytest.raises(CatalogueError, match=r"bad\.yaml: matter 'market\.sample': unknown department 'moon_office'"):
        load_catalogue([path], normalise=_identity)


def test_duplicate_codes_across_files_are_rejected(tmp_path: Path) -> None:
    first = _write(tmp_path, "a.yaml", GOOD)
    second = _write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(CatalogueError, match=r"b\.yaml: matter 'market\.sample': duplicate code \(also in a\.yaml\)"):
        load_catalogue([first, second], normalise=_identity)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    level: planet\n", "bad level 'planet'"),
        ("    class: relaxed\n", "bad class 'relaxed'"),
        ("    assist: [nobody]\n", "unknown assisting department 'nobody'"),
        ("    level: village\n", "a department's matter is handled at county level"),
        ("    rural_level: county\n", "rural_level county must be below level county"),
        ("    colour: red\n", "unknown field"),
    ],
)
def test_bad_fields_are_reported(tmp_path: Path, extra: str, message: str) -> None:
    path = _write(tmp_path, "x.yaml", GOOD.replace("    name: 样例事项\n", "    name: 样例事项\n" + extra))
    with pytest.raises(CatalogueError, match=message):
        load_catalogue([path], normalise=_identity)


def test_grassroots_matter_without_level_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "v.yaml", GOOD.replace("dept: market", "dept: null"))
    with pytest.raises(CatalogueError, match="without an owning department needs level"):
        load_catalogue([path], normalise=_identity)
    path = _write(tmp_path, "c.yaml", GOOD.replace("dept: market", "dept: null").replace(
        "    name: 样例事项\n", "    name: 样例事项\n    level: county\n"))
    with pytest.raises(CatalogueError, match="county-level matter needs an owning department"):
        load_catalogue([path], normalise=_identity)


def test_malformed_terms_are_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.yaml", GOOD.replace('"变质:2"', '"变:2"'))
    with pytest.raises(CatalogueError, match="needs a part of two characters or longer"):
        load_catalogue([path], normalise=_identity)
    path = _write(tmp_path, "w.yaml", GOOD.replace('"变质:2"', '"变质:heavy"'))
    with pytest.raises(CatalogueError, match="bad weight"):
        load_catalogue([path], normalise=_identity)


def test_a_directory_missing_a_department_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "only.yaml", GOOD)
    with pytest.raises(CatalogueError, match="no matter for department"):
        load_catalogue(tmp_path, normalise=_identity)


def test_router_refuses_to_start_on_a_broken_catalogue(tmp_path: Path) -> None:
    for source in DEFAULT_CATALOGUE.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "market.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("class: ordinary", "class: whenever", 1),
                      encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"market\.yaml"):
        Router.from_paths(catalogue_dir=tmp_path, train_model=False)
