"""Separating personal data from an appeal: the raw values go to the vault, the stored appeal keeps
only masked ones (SPEC §9). Numbers are found in every field, not just the text."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from typing import Any

from intake.masking import find_numbers, mask_phone, mask_text
from intake.models import Appeal


def mask_name(name: str) -> str:
    """张三丰 -> 张**: enough for staff to address the citizen, not to identify them."""
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_json(value: Any, *, codes: bool = True) -> Any:
    """Every string in `value` masked (`codes`: see find_numbers; by default, as channel details are
    codes and names people typed)."""
    if isinstance(value, str):
        return mask_text(value, codes=codes)
    if isinstance(value, list):
        return [mask_json(v, codes=codes) for v in value]
    if isinstance(value, dict):
        return {k: mask_json(v, codes=codes) for k, v in value.items()}
    return value


def _numbers(value: Any, path: str, out: list[dict[str, str]]) -> None:
    if isinstance(value, str):
        out.extend({"field": path, "kind": n.kind.value, "digits": n.digits}
                   for n in find_numbers(value, codes=True))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _numbers(v, f"{path}[{i}]", out)
    elif isinstance(value, dict):
        for k, v in value.items():
            _numbers(v, f"{path}.{k}" if path else k, out)


def stored_external_id(external_id: str, secret: bytes) -> str:
    """The channel's own id as stored and compared for repeats: as given, unless a personal number
    is in it (an SMS gateway's id may be the sender's number); then masked, with a digest of the
    whole id keyed by `secret`, so that two ids which mask alike (13700001111, 13755551111) stay two
    appeals and neither number can be read back (an unkeyed digest beside the mask could be)."""
    masked = mask_text(external_id, codes=True)
    if masked == external_id:
        return external_id
    digest = hmac.new(secret, b"external_id:" + external_id.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{masked[:100]}#{digest}"


def shown_external_id(stored: str) -> str:
    """A stored external id as a person reads it (the mask, without the digest stored_external_id
    adds): 137****1111."""
    masked, _, digest = stored.rpartition("#")
    return masked if masked and len(digest) == 24 and all(c in "0123456789abcdef" for c in digest) else stored


def separate(appeal: Appeal, *, id_secret: bytes | None = None) -> tuple[Appeal, dict[str, Any]]:
    """(the appeal with every personal number and the caller's identity masked, the raw personal
    data to seal): the raw text, address, caller and channel details, and each number found with the
    field it was in. With `id_secret` the external id is as `stored_external_id` keeps it."""
    raw = {"text": appeal.text, "address": appeal.address, "caller_name": appeal.caller_name,
           "caller_phone": appeal.caller_phone, "details": appeal.details}
    numbers: list[dict[str, str]] = []
    _numbers(raw, "", numbers)
    masked = replace(
        appeal,
        text=mask_text(appeal.text),
        address=mask_text(appeal.address) if appeal.address else None,
        caller_name=mask_name(appeal.caller_name) if appeal.caller_name else None,
        caller_phone=mask_phone(appeal.caller_phone) if appeal.caller_phone else None,
        external_id=(None if not appeal.external_id else mask_text(appeal.external_id, codes=True)
                     if id_secret is None else stored_external_id(appeal.external_id, id_secret)),
        details=mask_json(appeal.details),
    )
    return masked, {**raw, "numbers": numbers}
