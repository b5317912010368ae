"""The default model ships pre-trained (router/data/model/default.npz) so that a service starts in
about a second instead of training for many seconds in every process. It carries a fingerprint of
everything it was trained from — the catalogue, the variants lexicon, seed appeals and the learning code — and
is used only while that fingerprint still matches; otherwise the router trains afresh (and says so),
so a stale file can never give a different router than the source tree. `hotline router train
--default` rewrites it; a test checks it is current."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

log = logging.getLogger(__name__)

ROUTER_DIR = Path(__file__).parent
DATA_DIR = ROUTER_DIR / "data"
SHIPPED_MODEL = DATA_DIR / "model" / "default.npz"
SHIPPED_FINGERPRINT = DATA_DIR / "model" / "default.fingerprint"

# What the default model is a function of: its training data and the code that turns text into
# features and trains on them. Of the lexicons only the variants reach training (through the
# normaliser); the cue lexicons (emergency, whistle, policy, reading) are read at routing time, so
# editing them neither stales the shipped model nor the models bench/fit_calibration.py caches.
_INPUT_DIRS = ("catalogue", "seed")
_INPUT_FILES = ("lexicon/variants.yaml",)
_INPUT_CODE = ("learning.py", "normalise.py", "segment.py", "catalogue.py")


def _inputs() -> list[Path]:
    files = [p for d in _INPUT_DIRS for p in sorted((DATA_DIR / d).rglob("*")) if p.is_file()]
    return files + [DATA_DIR / name for name in _INPUT_FILES] + [ROUTER_DIR / name for name in _INPUT_CODE]


def training_fingerprint() -> str:
    """SHA-256 over the names and contents of everything the default model is trained from."""
    digest = hashlib.sha256()
    for path in _inputs():
        digest.update(path.relative_to(ROUTER_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def shipped_model_path() -> Path | None:
    """The shipped model if it was trained from exactly the current inputs, else None."""
    if not SHIPPED_MODEL.exists() or not SHIPPED_FINGERPRINT.exists():
        return None
    if SHIPPED_FINGERPRINT.read_text().strip() != training_fingerprint():
        log.warning("the shipped router model is older than its training data; training afresh "
                    "(run `hotline router train --default` to refresh it)")
        return None
    return SHIPPED_MODEL
