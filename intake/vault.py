"""Personal data kept apart and encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256), and the
citizen token derived from the order id, so a repeated submission can answer with it again."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from intake.exceptions import VaultError

SEALED_FIELDS = "_sealed"  # an outbox event body's sealed personal fields (Vault.seal_fields)


class Vault:
    """Seals and opens personal data. The first key encrypts; every key decrypts (rotation: put the
    new key first, re-seal, then drop the old one)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise VaultError("no personal-data key configured")
        try:
            self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
        except ValueError as exc:
            raise VaultError(f"a personal-data key is not a valid Fernet key: {exc}") from None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    @classmethod
    def ephemeral(cls) -> Vault:
        """A vault with a fresh key that lives as long as the process (tests, one-off runs)."""
        return cls([cls.new_key()])

    def seal(self, data: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(data, ensure_ascii=False).encode()).decode()

    def open(self, sealed: str) -> dict[str, Any]:
        try:
            opened: dict[str, Any] = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            raise VaultError("personal data cannot be decrypted with the configured keys") from None
        return opened

    def seal_fields(self, data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
        """`data` (an event's body waiting in the outbox) with the values of `fields` sealed under
        SEALED_FIELDS and left null in place, so no personal number rests in clear; `open_fields`
        puts them back as the event is published."""
        personal = {f: data[f] for f in fields if data.get(f) is not None}
        if not personal:
            return data
        return {**{k: None if k in personal else v for k, v in data.items()}, SEALED_FIELDS: self.seal(personal)}

    def open_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        """The event body `seal_fields` made, with its sealed values back in place."""
        if SEALED_FIELDS not in data:
            return data
        rest = {k: v for k, v in data.items() if k != SEALED_FIELDS}
        return {**rest, **self.open(data[SEALED_FIELDS])}


def citizen_token(secret: bytes, order_id: str) -> str:
    """The citizen's token for `order_id`: an HMAC under the centre's secret, so the same
    submission repeated gets the same token back and nothing but the secret can make one."""
    digest = hmac.new(secret, f"citizen-token:{order_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()
