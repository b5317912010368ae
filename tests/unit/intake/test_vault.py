"""The vault: personal data sealed at rest, and an event body's personal fields sealed while it
waits in the outbox, opened as it is published."""

from __future__ import annotations

import json

import pytest

from intake.exceptions import VaultError
from intake.vault import SEALED_FIELDS, Vault


def test_sealed_fields_rest_as_ciphertext_in_place_and_open_back_in_the_same_order() -> None:
    vault = Vault.ephemeral()
    body = {"work_order_id": "wo_1", "contact": {"name": "王女士", "phone": "13812345678"}, "role": "lead"}
    resting = vault.seal_fields(body, ("contact",))
    assert resting["contact"] is None and "13812345678" not in json.dumps(resting, ensure_ascii=False)
    assert list(resting)[:3] == ["work_order_id", "contact", "role"]
    opened = vault.open_fields(resting)
    assert opened == body and list(opened) == list(body)


def test_nothing_personal_leaves_the_body_as_it_was() -> None:
    vault = Vault.ephemeral()
    body = {"work_order_id": "wo_1", "contact": None}
    assert vault.seal_fields(body, ("contact",)) is body
    assert vault.open_fields(body) is body


def test_another_key_cannot_open_them() -> None:
    resting = Vault.ephemeral().seal_fields({"caller_phone": "13812345678"}, ("caller_phone",))
    with pytest.raises(VaultError):
        Vault.ephemeral().open_fields(resting)
    assert SEALED_FIELDS in resting
