"""Schemathesis over the four services' OpenAPI documents, each app served by uvicorn on a loopback
port (one shared runtime on the embedded default). Every generated request, valid and invalid, must
get an answer that is not a 5xx, whose status is declared for the operation, whose content type and
body match the declaration. Cases are derandomised (the same every run) and bounded per operation,
so the run takes well under a minute; the figures are printed at the end."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.apps.escalation import create_escalation_app
from services.apps.feedback import create_feedback_app
from services.apps.intake import create_intake_app
from services.apps.router import create_router_app
from services.bootstrap import Runtime, build_runtime
from services.settings import CoreSettings
from tests.support.broker import free_port
from tests.support.factories import key_headers

FACTORIES: dict[str, Callable[..., FastAPI]] = {
    "intake": create_intake_app, "router": create_router_app,
    "escalation": create_escalation_app, "feedback": create_feedback_app,
}
EXAMPLES_PER_MODE = 25
# Not negative_data_rejection: FastAPI ignores unknown query parameters, as most APIs do, and the
# administrator's key the cases carry would count as "accepting" a case that left out the header.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Servers(threading.Thread):
    """Four uvicorn servers in one event loop on a background thread, sharing one runtime."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(daemon=True)
        self.settings = CoreSettings(data_dir=data_dir, database_url=None, kafka_bootstrap_servers=None)
        self.urls = {name: f"http://127.0.0.1:{free_port()}" for name in FACTORIES}
        self.started = threading.Event()
        self.error: BaseException | None = None
        self.admin_headers: dict[str, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self.error = exc
            self.started.set()

    async def _main(self) -> None:
        self._loop, self._stop_event = asyncio.get_running_loop(), asyncio.Event()
        runtime: Runtime = await build_runtime(self.settings)
        await runtime.start()
        # Requests carry an administrator's key, so generated cases reach the handlers behind the
        # access checks (a request without one is refused with 401, which is declared too).
        self.admin_headers = await key_headers(runtime, "admin")
        servers = [
            uvicorn.Server(uvicorn.Config(FACTORIES[name](self.settings, runtime=runtime), host="127.0.0.1",
                                          port=int(url.rsplit(":", 1)[1]), log_level="warning", access_log=False))
            for name, url in self.urls.items()
        ]
        tasks = [asyncio.create_task(s.serve()) for s in servers]
        while not all(s.started for s in servers):
            await asyncio.sleep(0.05)
        self.started.set()
        await self._stop_event.wait()
        for s in servers:
            s.should_exit = True
        await asyncio.gather(*tasks)
        await runtime.stop()

    def stop(self) -> None:
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        self.join(30)


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    s = Servers(Path(tmp_path_factory.mktemp("schemathesis")))
    s.start()
    s.started.wait(60)
    if s.error is not None:
        raise s.error
    try:
        yield s
    finally:
        s.stop()


def _exercise(operation: Any, mode: schemathesis.GenerationMode, base_url: str, headers: dict[str, str],
              tally: Tally) -> None:
    @hypothesis.settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @hypothesis.given(operation.as_strategy(generation_mode=mode))
    def each(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:  # collect every failure, report them together
            lines = [line.strip(" |") for line in str(exc).splitlines() if line.strip(" |")]
            tally.failures.append(f"{operation.label} [{mode.value}] -> {response.status_code}: "
                                  f"{' / '.join(lines[:4])[:300]}")

    try:
        each()
    except hypothesis.errors.Unsatisfiable:
        assert mode is schemathesis.GenerationMode.NEGATIVE  # nothing to get wrong, e.g. GET /healthz


def test_no_service_answers_5xx_or_an_undocumented_status(servers: Servers) -> None:
    tally = Tally()
    headers = servers.admin_headers
    for url in servers.urls.values():
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        for result in schema.get_all_operations():
            operation = result.ok()
            tally.operations += 1
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                _exercise(operation, mode, url, headers, tally)
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    print(f"\nschemathesis: {tally.operations} operations over {len(servers.urls)} services, {tally.cases} cases, "
          f"{server_errors} 5xx, {len(tally.failures)} failed checks; statuses {dict(sorted(tally.statuses.items()))}",
          file=sys.__stderr__)
    assert tally.operations >= 20 and tally.cases > 10 * tally.operations
    assert server_errors == 0
    assert sorted(set(tally.failures)) == []
