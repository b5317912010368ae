"""What each intake channel submits: one pydantic model per channel, told apart by `channel`.

Every channel takes `text`, optional `address`, optional `reported_at` (when the citizen reported
it: the call time, the post time, the found-at time; the duplicate window and the clocks use it)
and `confidential` (保密). Strings refuse NUL and other control characters; ids refuse being empty.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl

from schemas.validation import ONE_WORD_PATTERN, PHONE_PATTERN, no_control_characters

MAX_TEXT_CHARS = 5000

Clean = AfterValidator(no_control_characters)
Text = Annotated[str, Field(min_length=2, max_length=MAX_TEXT_CHARS, description="what the citizen says"), Clean]
Short = Annotated[str, Field(min_length=1, max_length=300), Clean]
Name = Annotated[str, Field(min_length=1, max_length=50), Clean]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_WORD_PATTERN), Clean]
ExternalId = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=ONE_WORD_PATTERN,
          description="the channel's own id; a repeat with the same content returns the same order"),
    Clean,
]
Phone = Annotated[str, Field(max_length=30, pattern=PHONE_PATTERN,
                             description="the citizen's number; encrypted at rest, masked everywhere"), Clean]
def _countable(value: datetime) -> datetime:
    if not 1990 <= value.year <= 2100:
        raise ValueError("must be a time between 1990 and 2100")
    return value


# A time the clocks, the 并单 window and the reports can count from (year 0001 or 9999 cannot be).
Moment = Annotated[AwareDatetime, AfterValidator(_countable)]
Photos = Annotated[list[HttpUrl], Field(default_factory=list, max_length=9, description="photo URLs, at most 9")]


class GeoPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Text
    address: Short | None = None
    reported_at: Moment | None = Field(
        default=None, description="when the citizen reported it (call, post, found-at time); default: now")
    confidential: bool = Field(default=False, description="保密: no unit sees the caller's identity")
    external_id: ExternalId | None = None
    caller_name: Name | None = None
    caller_phone: Phone | None = None


class Phone12345In(_Common):
    """12345 热线: an operator enters a call (the operator comes from the key)."""

    channel: Literal["12345_phone"]
    callback_wanted: bool = Field(default=True, description="the caller wants to be called back")


class Business(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Short
    address: Short | None = None
    licence_no: Code | None = Field(default=None, description="统一社会信用代码 / 营业执照号, if known")


class ConsumerDemand(StrEnum):
    refund = "退款"
    compensation = "赔偿"
    exchange = "退换"
    repair = "维修"
    apology = "道歉"
    other = "其他"


class Consumer12315In(_Common):
    """12315: a consumer complaint."""

    channel: Literal["12315"]
    business: Business
    goods_or_service: Short
    amount_in_dispute: Decimal | None = Field(default=None, ge=0, le=100_000_000, max_digits=12, decimal_places=2)
    purchase_time: Moment | None = None
    demand: ConsumerDemand = Field(description="what the consumer wants")


class SelfServiceIn(_Common):
    """Citizen self-service (web, mini-program, WeChat): no key; send an Idempotency-Key header."""

    channel: Literal["web", "mini_program", "wechat"]
    photos: Photos
    location: GeoPoint | None = Field(default=None, description="where, as coordinates (or give address)")


class GridWorkerIn(_Common):
    """网格员上报: a grid worker reports what they found (reported_at = found-at time)."""

    channel: Literal["grid_worker"]
    grid_code: Code
    worker_id: Code
    photos: Photos
    location: GeoPoint | None = None


class OnlineOpinionIn(_Common):
    """网络舆情: a post found online (reported_at = post time)."""

    channel: Literal["online_opinion"]
    platform: Short
    url: HttpUrl
    author_handle: Short | None = None


class UpperTransferIn(_Common):
    """上级转办: a case an upper body passed down; its deadline bounds our clocks."""

    channel: Literal["upper_transfer"]
    upper_body: Short
    reference_no: ExternalId
    deadline: Moment


class VisitKind(StrEnum):
    visit = "来访"  # the citizen came in
    outreach = "走访"  # staff went out


class OfflineVisitIn(_Common):
    """线下来访 / 走访 collected in person."""

    channel: Literal["offline_visit"]
    visit_kind: VisitKind = VisitKind.visit
    place: Short | None = Field(default=None, description="where it was collected")
    visitors: int = Field(default=1, ge=1, le=1000)


class MessageIn(_Common):
    """Email and SMS to the hotline, entered by an operator."""

    channel: Literal["email", "sms"]
    sender: Short = Field(description="the sender's address or number")


ChannelAppeal = (Phone12345In | Consumer12315In | SelfServiceIn | GridWorkerIn | OnlineOpinionIn | UpperTransferIn
                 | OfflineVisitIn | MessageIn)
AppealSubmission = Annotated[ChannelAppeal, Field(discriminator="channel")]
