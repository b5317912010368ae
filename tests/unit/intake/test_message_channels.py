"""Email and SMS to the hotline: an SMS's sender is the citizen's own number, to call back when
no other is given; an email address is no number."""

from __future__ import annotations

from pydantic import TypeAdapter

from intake.channels import to_appeal
from intake.models import Appeal
from schemas.channels import AppealSubmission

SUBMISSION = TypeAdapter(AppealSubmission)


def _appeal(**body: str) -> Appeal:
    return to_appeal(SUBMISSION.validate_python({"text": "小区垃圾三天没人清", **body}))


def test_an_sms_sender_is_the_number_to_call_back() -> None:
    assert _appeal(channel="sms", sender="139 0000 1111").caller_phone == "139 0000 1111"


def test_a_number_given_apart_wins_and_a_gateway_id_or_an_email_is_no_number() -> None:
    assert _appeal(channel="sms", sender="13900001111", caller_phone="13800002222").caller_phone == "13800002222"
    assert _appeal(channel="sms", sender="gw-7781#a").caller_phone is None
    assert _appeal(channel="email", sender="someone@example.cn").caller_phone is None
