"""Emergency families from taxonomy.md in phrasings the router's sets lack (written for these
tests): a relative calling for someone else, dialect, indirect ("喊也不应"), a missing child, people
held, a confined space, choking — and their look-alikes: a thing of the child's that is lost, wages
"扣着" by a boss, a theft already over, water that will not come up a well, a fear of fire."""

from __future__ import annotations

import json
from pathlib import Path

from router.service import Router

DATA = Path(__file__).parent / "data"


def test_every_family_and_its_look_alikes_are_told_apart(router: Router) -> None:
    rows = [json.loads(line) for line in (DATA / "family_check.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    wrong = []
    for row in rows:
        decision = router.route(str(row["text"]))
        got = decision.redirect.value if decision.redirect else None
        if got != row["redirect"]:
            wrong.append((row["text"], row["redirect"], got))
    assert not wrong


def test_a_word_of_now_after_the_past_keeps_the_call(router: Router) -> None:
    """A phone call with no full stop is one sentence: "以前" earlier in it does not make a stroke
    happening now a past one."""
    decision = router.route("我老爹中风了 以前中过一次 这次又犯了 嘴歪了说不了话")
    assert decision.redirect is not None and decision.redirect.value == "120"
    assert router.route("我老爹以前中过风 嘴歪了好几年 想申请残疾证").redirect is None
