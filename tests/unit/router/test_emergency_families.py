"""Emergency families from taxonomy.md in phrasings the router's sets lack (written for these
tests): a relative calling for someone else, dialect, indirect ("喊也不应"), a missing child, people
held, a confined space, choking — and their look-alikes: a thing of the child's that is lost, wages
"扣着" by a boss, a theft already over, water that will not come up a well, a fear of fire; later gas with
someone made dizzy, a fire burning though the people got out, a drunk driver on the road, crush and fall
injuries, a heap already smouldering; and false alarms' look-alikes: a price called robbery, a renovation
still knocking down walls, anger "肺都要炸了", a car stuck with nobody hurt, "真着火了…怎么办", a lift stopped with
nobody in it, a crash whose injured are gone, calling the property company in vain; a seizure that does not
stop, someone locked out (not in), a scam call hung up on, a fire far off with no flame seen; then (train_ah's
round) a lift "关人了" or a car "困有" people, a fight going on with someone hurt, sticks and a call for the police,
someone threatening to jump, someone fallen into a manhole, a fire that caught and cannot be beaten out, a worker
stranded at a height, a child carried off on a motorbike or told by age, a smoke alarm with a growing burning smell —
and a lift with nobody held, a question about a crash's hospital bill, "像被困…一样", workers "快中暑了", a sign
hanging in the air, "真困了人怎么办", a tower crane above a house."""

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


def test_a_learned_head_all_but_sure_is_not_vetoed_by_a_word_of_the_past(router: Router) -> None:
    """The head alone calls a line from LEARNED_SURE though the text tells of the past somewhere
    ("他以前就有心脏病"); a question about the past with no harm now stays a matter for a unit."""
    decision = router.route("我爸胸口疼得厉害 满头冷汗 说喘不上气 他以前就有心脏病 我们在城南")
    assert decision.redirect is not None and decision.redirect.value == "120"
    assert router.route("我爸以前有心脏病 现在医保报销比例是多少").redirect is None
    assert router.route("听说上个月厂房着过一次火 想问消防检查怎么申请").redirect is None
