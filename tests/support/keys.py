"""The bare secret of a key for a role (for clients that send it their own way, e.g. Open311's api_key)."""

from __future__ import annotations

from services.bootstrap import Runtime
from tests.support.factories import key_headers


async def issued_key(runtime: Runtime, role: str) -> str:
    return (await key_headers(runtime, role))["Authorization"].split()[1]
