"""The responsibility catalogue (事项清单): loading, validation and look-ups.

One YAML file per owner (a county department, or the village / township level). A file:

    dept: market              # owner of the file's matters (null: village/township matters)
    matters:
      - code: market.food_safety
        name: 食品安全
        assist: [health]      # assisting departments (协办)
        level: county         # default handling level (optional for department files)
        class: ordinary       # default whistle class
        rural_level: village  # optional: who takes it over outside the county seat's urban area
        terms: [过期, "变质:1.5", "吃了&拉肚子:2", "上门:-1"]
        examples: [...]

A term is one phrase or several joined by `&` (all must occur), with an optional `:weight`
(default 1; negative weights argue against the matter). A part may be a single character
(`电梯&困`) as long as another part of the term is two characters or longer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from router.exceptions import CatalogueError
from router.models import Matter, Term
from schemas.taxonomy import COUNTY_DEPARTMENTS, LEVEL_ORDER, Level, WhistleClass

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_MATTER_KEYS = {"code", "name", "assist", "level", "class", "rural_level", "terms", "examples", "dept"}


@dataclass(frozen=True)
class Catalogue:
    """All matters, with the departments they may name."""

    matters: tuple[Matter, ...]
    departments: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {m.code: m for m in self.matters})

    def __len__(self) -> int:
        return len(self.matters)

    def __iter__(self) -> Iterator[Matter]:
        return iter(self.matters)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code  # type: ignore[attr-defined]

    def get(self, code: str) -> Matter:
        """The matter with this code (KeyError naming it otherwise)."""
        try:
            return self._by_code[code]  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            raise KeyError(f"unknown matter {code!r}") from None

    def of_department(self, dept: str) -> list[Matter]:
        """The matters a department owns, catalogue order."""
        return [m for m in self.matters if m.dept == dept]


def parse_term(raw: str, normalise: Callable[[str], str]) -> Term:
    """Parse `a&b:1.5` into a Term with normalised parts."""
    text, weight = raw, 1.0
    if ":" in raw:
        text, _, number = raw.rpartition(":")
        try:
            weight = float(number)
        except ValueError:
            raise ValueError(f"bad weight in term {raw!r}") from None
    parts = tuple(normalise(p.strip()) for p in text.split("&"))
    # A single character is too common to find on its own, but may qualify a longer part.
    if not parts or any(not p for p in parts) or max(len(p) for p in parts) < 2:
        raise ValueError(f"term {raw!r}: needs a part of two characters or longer")
    if weight == 0:
        raise ValueError(f"term {raw!r}: weight must not be zero")
    return Term(parts=parts, weight=weight)


def _level(value: Any, where: str, what: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise CatalogueError(f"{where}: bad {what} {value!r} (one of {', '.join(Level)})") from None


def _matter(
    raw: Any,
    *,
    file_dept: str | None,
    source: str,
    departments: Mapping[str, str],
    normalise: Callable[[str], str],
) -> Matter:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{source}: every matter must be a mapping, got {raw!r}")
    code = raw.get("code")
    where = f"{source}: matter {code!r}"
    if not isinstance(code, str) or not _CODE.match(code):
        raise CatalogueError(f"{where}: code must match {_CODE.pattern}")
    unknown = set(raw) - _MATTER_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where}: name is required")
    dept = raw.get("dept", file_dept)
    if dept is not None and dept not in departments:
        raise CatalogueError(f"{where}: unknown department {dept!r}")
    assisting = tuple(raw.get("assist") or ())
    for other in assisting:
        if other not in departments:
            raise CatalogueError(f"{where}: unknown assisting department {other!r}")
    if dept is None and raw.get("level") is None:
        raise CatalogueError(f"{where}: a matter without an owning department needs level: village or township")
    level = _level(raw.get("level", Level.county), where, "level")
    if dept is not None and level is not Level.county:
        raise CatalogueError(f"{where}: a department's matter is handled at county level, not {level}")
    if dept is None and level is Level.county:
        raise CatalogueError(f"{where}: a county-level matter needs an owning department")
    rural_level = raw.get("rural_level")
    if rural_level is not None:
        rural_level = _level(rural_level, where, "rural_level")
        if LEVEL_ORDER.index(rural_level) >= LEVEL_ORDER.index(level):
            raise CatalogueError(f"{where}: rural_level {rural_level} must be below level {level}")
    try:
        whistle = WhistleClass(raw.get("class", "ordinary"))
    except ValueError:
        raise CatalogueError(
            f"{where}: bad class {raw.get('class')!r} (one of {', '.join(WhistleClass)})"
        ) from None
    raw_terms = raw.get("terms") or []
    if not isinstance(raw_terms, list) or not raw_terms:
        raise CatalogueError(f"{where}: terms must be a non-empty list")
    terms: list[Term] = []
    for item in raw_terms:
        try:
            terms.append(parse_term(str(item), normalise))
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from None
    examples = raw.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise CatalogueError(f"{where}: examples must be a list of texts")
    return Matter(
        code=code,
        name=name.strip(),
        dept=dept,
        assisting=assisting,
        level=level,
        whistle_class=whistle,
        terms=tuple(terms),
        examples=tuple(examples),
        rural_level=rural_level,
        source=source,
    )


def load_catalogue(
    paths: Path | Iterable[Path],
    *,
    normalise: Callable[[str], str],
    departments: Mapping[str, str] = COUNTY_DEPARTMENTS,
) -> Catalogue:
    """Load and validate every `*.yaml` of a directory (or the given files) into one catalogue.

    Raises CatalogueError naming the file and the matter for an unknown department, a duplicate
    code, a bad level or class, a malformed term, or a department with no matter at all.
    """
    if isinstance(paths, Path):
        if not paths.is_dir():
            raise CatalogueError(f"{paths}: catalogue directory not found")
        files = sorted(paths.glob("*.yaml"))
    else:
        files = list(paths)
    if not files:
        raise CatalogueError("the catalogue has no files")
    matters: list[Matter] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogueError(f"{path.name}: cannot read: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("matters"), list):
            raise CatalogueError(f"{path.name}: expected a mapping with a `matters` list")
        file_dept = data.get("dept")
        if file_dept is not None and file_dept not in departments:
            raise CatalogueError(f"{path.name}: unknown department {file_dept!r}")
        for raw in data["matters"]:
            matter = _matter(
                raw, file_dept=file_dept, source=path.name, departments=departments, normalise=normalise
            )
            if matter.code in seen:
                raise CatalogueError(
                    f"{path.name}: matter {matter.code!r}: duplicate code (also in {seen[matter.code]})"
                )
            seen[matter.code] = path.name
            matters.append(matter)
    owned = {m.dept for m in matters}
    missing = [d for d in departments if d not in owned]
    if missing and not isinstance(paths, Path):
        missing = []  # a hand-picked subset of files need not cover every department
    if missing:
        raise CatalogueError(f"catalogue: no matter for department(s) {', '.join(missing)}")
    return Catalogue(matters=tuple(matters), departments=dict(departments))
