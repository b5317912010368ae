"""Separating personal data from an appeal: the raw values go to the vault, the stored appeal keeps
only masked ones (SPEC §9). Numbers are found in every field, not just the text."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from intake.masking import find_numbers, mask_phone, mask_text
from intake.models import Appeal


def mask_name(name: str) -> str:
    """张三丰 -> 张**: enough for staff to address the citizen, not to identify them."""
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def _mask_json(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value, codes=True)  # channel details are codes and names people typed
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_json(v) for k, v in value.items()}
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


def separate(appeal: Appeal) -> tuple[Appeal, dict[str, Any]]:
    """(the appeal with every personal number and the caller's identity masked, the raw personal
    data to seal): the raw text, address, caller and channel details, and each number found with the
    field it was in."""
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
        external_id=mask_text(appeal.external_id, codes=True) if appeal.external_id else None,
        details=_mask_json(appeal.details),
    )
    return masked, {**raw, "numbers": numbers}
