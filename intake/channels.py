"""Channel adapters: each channel's submission -> the one normalised `Appeal`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from intake.models import Appeal
from intake.normalise import normalise_text
from schemas.channels import (
    ChannelAppeal,
    Consumer12315In,
    GridWorkerIn,
    MessageIn,
    OfflineVisitIn,
    OnlineOpinionIn,
    Phone12345In,
    SelfServiceIn,
    UpperTransferIn,
)
from schemas.validation import PHONE_PATTERN

_COMMON = frozenset({"channel", "text", "address", "reported_at", "confidential", "external_id", "caller_name",
                     "caller_phone"})


def id_field(submission: ChannelAppeal) -> str:
    """The field of a submission that carries the channel's own id, which a repeat conflict names: an
    upper transfer's reference number unless it also gives an external_id."""
    if isinstance(submission, UpperTransferIn) and not submission.external_id:
        return "reference_no"
    return "external_id"


def request_digest(submission: ChannelAppeal) -> str:
    """A digest of everything the submission says: an exact repeat has the same digest, a different
    appeal reusing the same id does not."""
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _details(submission: ChannelAppeal, *drop: str) -> dict[str, Any]:
    extra: dict[str, Any] = submission.model_dump(mode="json", exclude=set(_COMMON | set(drop)))
    return {k: v for k, v in extra.items() if v not in (None, [], {})}


def _base(submission: ChannelAppeal, **overrides: Any) -> Appeal:
    fields: dict[str, Any] = {
        "channel": submission.channel, "text": normalise_text(submission.text),
        "address": normalise_text(submission.address) if submission.address else None,
        "reported_at": submission.reported_at, "confidential": submission.confidential,
        "caller_name": submission.caller_name, "caller_phone": submission.caller_phone,
        "external_id": submission.external_id, "details": _details(submission),
    }
    fields.update(overrides)
    return Appeal(**fields)


def _phone(s: Phone12345In) -> Appeal:
    return _base(s, callback_wanted=s.callback_wanted, details=_details(s, "callback_wanted"))


def _consumer(s: Consumer12315In) -> Appeal:
    return _base(s, address=s.address or s.business.address)


def _self_service(s: SelfServiceIn) -> Appeal:
    where = s.location
    return _base(s, latitude=where.lat if where else None, longitude=where.long if where else None,
                 details=_details(s, "location"))


def _grid(s: GridWorkerIn) -> Appeal:
    where = s.location
    return _base(s, latitude=where.lat if where else None, longitude=where.long if where else None,
                 details=_details(s, "location"))


def _opinion(s: OnlineOpinionIn) -> Appeal:
    return _base(s, callback_wanted=False)


def _transfer(s: UpperTransferIn) -> Appeal:
    # The upper body's reference number is this channel's own id.
    return _base(s, external_id=s.external_id or s.reference_no, deadline=s.deadline,
                 details=_details(s, "deadline"))


def _visit(s: OfflineVisitIn) -> Appeal:
    return _base(s, address=s.address or s.place)


def _message(s: MessageIn) -> Appeal:
    # A text message comes from the citizen's own phone: without another number given, that is the
    # number the lead unit and the 回访 call back (sealed and masked like any caller's number).
    if s.channel == "sms" and s.caller_phone is None and re.match(PHONE_PATTERN, s.sender):
        return _base(s, caller_phone=s.sender)
    return _base(s)


_ADAPTERS: dict[type[Any], Callable[[Any], Appeal]] = {
    Phone12345In: _phone, Consumer12315In: _consumer, SelfServiceIn: _self_service, GridWorkerIn: _grid,
    OnlineOpinionIn: _opinion, UpperTransferIn: _transfer, OfflineVisitIn: _visit, MessageIn: _message,
}


def to_appeal(submission: ChannelAppeal) -> Appeal:
    """The normalised appeal of a channel's submission (raw: personal data not yet separated)."""
    return _ADAPTERS[type(submission)](submission)
