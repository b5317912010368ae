"""Place look-up in the demo county's gazetteer, and the handling units it defines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from router.exceptions import UnknownUnitError
from router.service import Router
from schemas.taxonomy import Level, UnitKind


def _locate(router: Router, text: str, address: str | None = None):
    norm = router.parts.normalise
    return router.parts.gazetteer.locate(norm(text), norm(address) if address else None)


def test_compound_resolves_to_its_community_and_township(router: Router) -> None:
    loc = _locate(router, "翠湖苑5栋楼下天天有人吵")
    assert loc.township == "donghu"
    assert loc.village == "donghu.hubin"
    assert loc.urban is True


def test_longest_name_wins_over_a_shorter_alias(router: Router) -> None:
    loc = _locate(router, "北山村村委会门口")
    assert loc.village == "beishan.beishancun"
    loc = _locate(router, "白沙社区菜场")
    assert loc.village == "baisha.baisha"


def test_alias_and_traditional_characters_are_understood(router: Router) -> None:
    assert _locate(router, "縣城裡的公交車").township == "chengguan"
    assert _locate(router, "南橋鎮河口村三組").village == "nanqiao.hekou"


def test_address_field_takes_precedence_over_the_text(router: Router) -> None:
    loc = _locate(router, "白沙镇的亲戚说", address="西岭镇茶园村二组")
    assert loc.village == "xiling.chayuan"


def test_villages_are_rural_even_inside_the_county_seat(router: Router) -> None:
    loc = _locate(router, "城关镇北门村五组")
    assert loc.township == "chengguan" and loc.urban is False


def test_every_village_named_is_reported(router: Router) -> None:
    loc = _locate(router, "杨家湾村和河口村为了放水吵起来")
    assert set(loc.villages_mentioned) == {"nanqiao.yangjiawan", "nanqiao.hekou"}


def test_unknown_places_give_an_empty_location(router: Router) -> None:
    loc = _locate(router, "我家门口的路灯坏了")
    assert loc.township is None and loc.village is None and loc.urban is None


def test_units_cover_every_level_with_ascii_codes_and_parents(router: Router) -> None:
    units = router.units()
    kinds = {u.kind for u in units.values()}
    assert kinds == {UnitKind.centre, UnitKind.department, UnitKind.township, UnitKind.village, UnitKind.grid}
    for code, unit in units.items():
        assert re.fullmatch(r"[a-z0-9_]+", code), code
        if unit.parent is not None:
            assert unit.parent in units
    village = router.unit("vl_baisha_shazhou")
    assert village.level is Level.village and village.parent == "tw_baisha"
    assert router.unit("tw_baisha").parent == "county_centre"
    assert router.unit("market").parent == "county_centre"
    assert router.township_units_for("gr_baisha_shazhou_1").code == "tw_baisha"
    assert router.parent_unit("vl_baisha_shazhou").code == "tw_baisha"


def test_unknown_unit_code_raises_a_clear_error(router: Router) -> None:
    with pytest.raises(UnknownUnitError, match="unknown handling unit 'vl_atlantis'"):
        router.unit("vl_atlantis")


def test_a_broken_gazetteer_names_the_bad_node(tmp_path: Path) -> None:
    from router.exceptions import GazetteerError
    from router.gazetteer import load_gazetteer

    path = tmp_path / "g.yaml"
    path.write_text(
        "county: {code: demo, name: 示范县}\n"
        "townships:\n"
        "  - {code: north, name: 北镇, villages: [{code: a, name: 甲村}, {code: a, name: 乙村}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(GazetteerError, match="duplicate unit code 'vl_north_a'"):
        load_gazetteer(path, normalise=str)
    path.write_text("county: {code: demo}\ntownships:\n  - {code: North-1, name: 北镇}\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="township 'North-1': code must match"):
        load_gazetteer(path, normalise=str)
