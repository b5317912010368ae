"""The model shipped in the package is the one the shipped data trains: services start in about a
second instead of training in every process, and never with a stale model."""

from __future__ import annotations

from router.shipped import SHIPPED_FINGERPRINT, shipped_model_path, training_fingerprint


def test_the_shipped_model_was_trained_from_the_current_catalogue_seed_and_code() -> None:
    assert SHIPPED_FINGERPRINT.read_text().strip() == training_fingerprint(), (
        "router/data/model/default.npz is older than the catalogue, lexicons, seed appeals or learning "
        "code it is trained from: run `hotline router train --default` and commit the two files"
    )
    assert shipped_model_path() is not None
