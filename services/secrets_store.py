"""Where the personal-data keys and the citizen-token secret come from: configuration
(HOTLINE_PII_KEYS, HOTLINE_TOKEN_SECRET), or, for the embedded default, a file made once in the
data directory (mode 0600). Production sets both and keeps them out of the database."""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from intake.vault import Vault
from services.settings import CoreSettings, comma_list

log = logging.getLogger(__name__)


def _local_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fresh = json.dumps({"pii_keys": Vault.new_key(), "token_secret": secrets.token_urlsafe(32)})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(fresh)
            log.warning("no HOTLINE_PII_KEYS / HOTLINE_TOKEN_SECRET configured: made %s; set both in production",
                        path)
    loaded: dict[str, str] = json.loads(path.read_text())
    return loaded


def load_vault(settings: CoreSettings) -> Vault:
    keys = settings.pii_keys or _local_secrets(settings.data_dir)["pii_keys"]
    return Vault(comma_list(keys))


def load_token_secret(settings: CoreSettings) -> bytes:
    return (settings.token_secret or _local_secrets(settings.data_dir)["token_secret"]).encode()
