"""The broad category (城乡建设, 环境保护, …) a routed appeal falls under.

City message boards file citizens' messages under seven broad categories; `data/categories.yaml`
maps our owners (county departments, and the village and township levels) and a few matters
filed elsewhere than their owner onto them. This lets long-form messages labelled only with a
category be measured, and tells a reviewer which broad area a message belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from router.exceptions import LexiconError

DEFAULT_CATEGORIES = Path(__file__).parent / "data" / "categories.yaml"


@dataclass(frozen=True)
class CategoryMap:
    """Owner → category, with per-matter exceptions."""

    categories: tuple[str, ...]
    departments: Mapping[str, str]
    matters: Mapping[str, str]

    def of(self, matter: str | None, owner: str | None) -> str | None:
        """The category of a matter (by its code, whose first part names its owner) or, without
        a matter, of its owner (a department code, `village` or `township`); None when unmapped."""
        if matter and matter in self.matters:
            return self.matters[matter]
        # a matter code starts with its owner's code ("urban_mgmt.street_vending"), which holds
        # when a county matter is handed to a township outside the county seat
        prefix = matter.split(".", 1)[0] if matter else ""
        if prefix in self.departments:
            return self.departments[prefix]
        return self.departments.get(owner) if owner else None

    @classmethod
    def from_file(cls, path: Path = DEFAULT_CATEGORIES) -> CategoryMap:
        """Load and check the mapping (every value must be one of the listed categories)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: cannot read categories: {exc}") from exc
        categories = tuple(str(c) for c in data.get("categories") or ())
        departments = {str(k): str(v) for k, v in (data.get("departments") or {}).items()}
        matters = {str(k): str(v) for k, v in (data.get("matters") or {}).items()}
        unknown = sorted({*departments.values(), *matters.values()} - set(categories))
        if not categories or unknown:
            raise LexiconError(f"{path}: unknown categor(ies) {', '.join(unknown) or '(none listed)'}")
        return cls(categories, departments, matters)


@lru_cache(maxsize=1)
def default_categories() -> CategoryMap:
    """The shipped mapping."""
    return CategoryMap.from_file()


def category_of(output: Mapping[str, Any]) -> str | None:
    """The category of an offline classification line (`hotline classify` output: its
    `category`, else from `matter`, `dept`, `level`)."""
    if output.get("category"):
        return str(output["category"])
    owner = output.get("dept") or output.get("level")
    return default_categories().of(output.get("matter"), owner)
