"""docs/asyncapi.yaml is the document the code generates: regenerate it with
`hotline asyncapi > docs/asyncapi.yaml` when the events change."""

from __future__ import annotations

from pathlib import Path

import yaml

from schemas.events import FIXED_TOPICS
from services.asyncapi import build, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.yaml"


def test_committed_asyncapi_matches_the_code() -> None:
    assert yaml.safe_load(DOC.read_text(encoding="utf-8")) == yaml.safe_load(render())


def test_every_topic_is_a_channel() -> None:
    addresses = {c["address"] for c in build()["channels"].values()}
    assert set(FIXED_TOPICS) <= addresses and "hotline.dispatch.{unit}" in addresses


def test_dispatched_message_documents_the_contact_and_clocks() -> None:
    payload = build()["components"]["messages"]["dispatched"]["payload"]
    assert {"contact", "claim_due", "resolve_due", "text", "work_order_id"} <= set(payload["properties"])
