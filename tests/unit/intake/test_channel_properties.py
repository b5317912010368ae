"""Property tests over the channel input models: whatever text a client puts in any string field,
the model either accepts it (and the adapter and personal-data separation then work) or refuses it
with an error naming that field — never anything else."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from intake.channels import request_digest, to_appeal
from intake.masking import contains_personal_numbers
from intake.pii import separate
from schemas.channels import AppealSubmission

SUBMISSION: TypeAdapter[Any] = TypeAdapter(AppealSubmission)

# One valid body per channel, and the string fields of each (dotted paths) a client fills in.
VALID: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "12345_phone": ({"channel": "12345_phone", "text": "路灯坏了三天"},
                    ("text", "address", "caller_name", "caller_phone", "external_id")),
    "12315": ({"channel": "12315", "text": "电饭煲坏了商家不换", "business": {"name": "惠民电器"},
               "goods_or_service": "电饭煲", "demand": "退换"},
              ("text", "business.name", "business.address", "business.licence_no", "goods_or_service")),
    "web": ({"channel": "web", "text": "公园健身器材坏了"}, ("text", "address", "caller_phone")),
    "grid_worker": ({"channel": "grid_worker", "text": "河边护栏缺了一段", "grid_code": "G-07", "worker_id": "W-31"},
                    ("text", "grid_code", "worker_id")),
    "online_opinion": ({"channel": "online_opinion", "text": "学校门口早高峰拥堵", "platform": "微博",
                        "url": "https://weibo.example/p/1"}, ("text", "platform", "author_handle")),
    "upper_transfer": ({"channel": "upper_transfer", "text": "群众反映农村道路损毁", "upper_body": "市12345中心",
                        "reference_no": "SZ-2026-0001", "deadline": "2026-12-10T17:00:00+08:00"},
                       ("text", "upper_body", "reference_no")),
    "offline_visit": ({"channel": "offline_visit", "text": "村民来访反映宅基地纠纷"}, ("text", "place", "address")),
    "sms": ({"channel": "sms", "text": "小区垃圾三天没人清", "sender": "13900001111"}, ("text", "sender")),
}

# Any text: control characters and NUL included, CJK, surrogate-free unicode, whitespace, long runs.
ANY_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(max_codepoint=0x3f), max_size=40),
    st.text(alphabet=st.sampled_from("\x00\x01\x07\x1b\x7f\t\n\r 路灯坏了1385678-()"), max_size=40),
    st.integers(min_value=0, max_value=6000).map(lambda n: "路" * n),
)


def _put(body: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in body.items()}
    *parents, leaf = path.split(".")
    target = out
    for p in parents:
        target = target[p]
    target[leaf] = value
    return out


@settings(max_examples=300, deadline=None)
@given(channel=st.sampled_from(sorted(VALID)), data=st.data(), value=ANY_TEXT)
def test_any_text_in_any_field_is_accepted_or_refused_naming_that_field(channel: str, data: st.DataObject,
                                                                         value: str) -> None:
    body, fields = VALID[channel]
    path = data.draw(st.sampled_from(fields))
    try:
        submission = SUBMISSION.validate_python(_put(body, path, value))
    except ValidationError as exc:
        problems = exc.errors()
        assert problems, exc
        # Each problem is on the field that was filled in (the union's tag is named first).
        assert all(".".join(str(p) for p in e["loc"][1:]) == path for e in problems), problems
        return
    # Accepted: what is kept (the models strip surrounding whitespace, form feeds and the like
    # included) holds no NUL or other control character.
    kept = value.strip()
    assert "\x00" not in kept and not any(ord(c) < 32 and c not in "\t\n\r" for c in kept)
    appeal, personal = separate(to_appeal(submission))
    assert request_digest(submission)
    # What is stored apart from the vault carries no unmasked personal number.
    assert not contains_personal_numbers(appeal.text)
    if appeal.address:
        assert not contains_personal_numbers(appeal.address)
    assert personal is not None
