"""`hotline demo`: the whole closed loop on the embedded default, through the real apps.

Loads the demo county, feeds realistic appeals through intake over HTTP (ASGI in-process), lets
the in-process bus carry them to the router, lets simulated units claim and resolve their orders
and simulated citizens rate them, then prints the 631 report and the state counts.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import yaml

from intake.masking import mask_text
from schemas.access import Role
from schemas.events import DISPATCH_TOPIC_PREFIX
from services.apps.combined import create_combined_app
from services.bootstrap import Runtime, build_context, build_runtime
from services.bus.memory import InProcessBus
from services.demo_clocks import DemoClock, clocks_that_act
from services.keys import create_key
from services.settings import CoreSettings


def demo_appeals() -> list[dict[str, Any]]:
    text = resources.files("services.data").joinpath("demo_appeals.yaml").read_text(encoding="utf-8")
    appeals: list[dict[str, Any]] = yaml.safe_load(text)
    return appeals


async def run_demo(data_dir: Path | None = None, echo: Any = print) -> dict[str, Any]:
    """Run the demo and return what it printed as data (for tests)."""
    workdir = data_dir or Path(tempfile.mkdtemp(prefix="hotline-demo-"))
    # The sweep runs when the demo moves its clock on, not on a timer of its own.
    settings = CoreSettings(data_dir=workdir, database_url=None, kafka_bootstrap_servers=None, sweep_seconds=3600)
    clock = DemoClock()
    runtime = await build_runtime(settings, ctx=build_context(settings, now=clock))
    await runtime.start()
    app = create_combined_app(settings, runtime=runtime)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline.demo") as client:
            return await _closed_loop(client, runtime, clock, echo)
    finally:
        await runtime.stop()


class DemoKeys:
    """API keys the demo issues for itself, as `hotline keys create` would: one per role, and one
    per handling unit the moment that unit first needs to act."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._made: dict[tuple[str, str | None], dict[str, str]] = {}

    async def __call__(self, role: str, unit: str | None = None) -> dict[str, str]:
        if (role, unit) not in self._made:
            async with self.runtime.sessions() as session, session.begin():
                issued = await create_key(session, role=Role(role), unit=unit, name=f"demo {role} {unit or ''}".strip(),
                                          now=self.runtime.ctx.now(),
                                          known_units=lambda code: code in self.runtime.ctx.router.units())
            self._made[(role, unit)] = {"Authorization": f"Bearer {issued.secret}"}
        return self._made[(role, unit)]


async def _on_callback_worklist(client: httpx.AsyncClient, operator: dict[str, str],
                                order_id: str) -> dict[str, Any] | None:
    """The order's own caller as the 回访 worklist gives them, when it gives a number to call."""
    cursor = None
    while True:
        page = (await client.get("/v1/callbacks", params={"cursor": cursor} if cursor else {},
                                 headers=operator)).json()
        for item in page["items"]:
            if item["work_order_id"] == order_id:
                caller: dict[str, Any] = item["callers"][0]
                return caller if caller["contact"] else None
        if not (cursor := page["next_cursor"]):
            return None


async def _closed_loop(client: httpx.AsyncClient, runtime: Runtime, clock: DemoClock, echo: Any) -> dict[str, Any]:
    appeals = demo_appeals()
    keys = DemoKeys(runtime)
    operator, dispatcher, supervisor = await keys("operator"), await keys("dispatcher"), await keys("supervisor")
    echo(f"Demo county loaded: {len(runtime.ctx.router.units())} handling units. API keys issued for an operator, "
         "a dispatcher, a supervisor and, as they need them, each handling unit.")
    orders: list[tuple[str, str]] = []
    for i, appeal in enumerate(appeals):
        body = {k: v for k, v in appeal.items() if v is not None}
        body["external_id"] = f"demo-{i:03d}"
        response = await client.post("/v1/appeals", json=body, headers=operator)
        response.raise_for_status()
        orders.append((response.json()["work_order_id"], response.json()["citizen_token"]))
    repeat = await client.post("/v1/appeals", json={**appeals[0], "external_id": "demo-000"}, headers=operator)
    echo(f"Intake: {len(orders)} appeals accepted; a repeated submission answered {repeat.status_code} "
         f"with the same order: {repeat.json()['work_order_id'] == orders[0][0]}.")
    await runtime.relay.drain()

    echo("")
    echo("Routing (精准派单): class, level, receiving unit, confidence")
    for order_id, _ in orders:
        order = (await client.get(f"/v1/work-orders/{order_id}", headers=operator)).json()
        where = f"-> {order['redirect']} (emergency line)" if order["redirect"] else f"-> {order['unit']}"
        echo(f"  {order['text'][:26]:<28} {order['whistle_class'] or '-':<8} {order['level'] or '-':<8} "
             f"{where:<28} {order['confidence'] or 0:.2f}  {order['state']}")

    # Dispatchers work the review queue: confirm a usable suggestion, else send to the centre's
    # general desk (gov_services) for a call-back.
    reviewed, cursor = 0, None
    while True:
        page = (await client.get("/v1/review-queue", params={"cursor": cursor} if cursor else {},
                                 headers=dispatcher)).json()
        for item in page["items"]:
            suggestion = (item.get("suggestion") or {}).get("unit")
            body = ({"action": "confirm"} if suggestion else
                    {"action": "override", "unit": "gov_services", "reason": "回拨核实"})
            (await client.post(f"/v1/work-orders/{item['work_order_id']}/review", json=body,
                               headers=dispatcher)).raise_for_status()
            reviewed += 1
        if not (cursor := page["next_cursor"]):
            break
    echo(f"Review queue: {reviewed} order(s) waited for a dispatcher and were dispatched by hand.")
    await runtime.relay.drain()

    unsatisfied_once = refused_shown = False
    called_back = 0
    for order_id, token in orders:
        for _ in range(2):  # a reopened order goes round a second time
            order = (await client.get(f"/v1/work-orders/{order_id}", headers=operator)).json()
            if order["state"] != "dispatched":
                break
            unit = await keys("unit", order["unit"])
            if not refused_shown:
                outsider = "tax" if order["unit"] != "tax" else "education"
                refused = await client.post(f"/v1/work-orders/{order_id}/claim", json={},
                                            headers=await keys("unit", outsider))
                echo(f"Access: {outsider} tried to claim {order['unit']}'s order {order_id}: {refused.status_code} "
                     f"({refused.json()['message']}): a unit sees only the orders in its own hands.")
                refused_shown = True
            (await client.post(f"/v1/work-orders/{order_id}/claim", json={}, headers=unit)).raise_for_status()
            answer = {"reply": "已现场处理，问题已解决，感谢您的反映。"}
            (await client.post(f"/v1/work-orders/{order_id}/resolve", json=answer, headers=unit)).raise_for_status()
            rating = "satisfied"
            if not unsatisfied_once:
                rating, unsatisfied_once = "unsatisfied", True
                echo(f"重办: the citizen of {order_id} was not satisfied with {order['unit']}'s answer; the order "
                     "goes back to the same unit with fresh clocks (a second reopening would make it 攻坚 hard).")
            elif (caller := await _on_callback_worklist(client, operator, order_id)) is not None:
                # The caller left a number: the centre's operator calls them back (回访) from the worklist.
                reached = {"contacted": True, "solved": True, "rating": rating, "comment": "电话回访，群众表示满意"}
                (await client.post(f"/v1/work-orders/{order_id}/callback", json=reached,
                                   headers=operator)).raise_for_status()
                if not called_back:
                    echo(f"回访: the operator's worklist (GET /v1/callbacks) gave the caller of {order_id} and their "
                         f"number ({mask_text(caller['contact']['phone'])} here; in full to the operator only); "
                         "the call reached them, they were satisfied, and the order closed.")
                called_back += 1
                continue
            (await client.post(f"/v1/work-orders/{order_id}/rate",
                               json={"rating": rating, "solved": rating != "unsatisfied",
                                     "citizen_token": token})).raise_for_status()
        await runtime.relay.drain()
    echo(f"回访: {called_back} order(s) were rated on the centre's call-back, the others by the citizens themselves.")

    clocks = await clocks_that_act(client, runtime, keys, clock, echo)
    report = (await client.get("/v1/reports/631", headers=supervisor)).json()
    states = (await client.get("/v1/reports/states", headers=supervisor)).json()
    topics: Counter[str] = Counter()
    if isinstance(runtime.bus, InProcessBus):
        for topic in {u.code for u in runtime.ctx.router.units().values()}:
            n = len(runtime.bus.topic_log(DISPATCH_TOPIC_PREFIX + topic))
            if n:
                topics[DISPATCH_TOPIC_PREFIX + topic] = n

    echo("")
    echo("631 report (orders closed, by the level of the unit that resolved them):")
    for row in report["levels"]:
        echo(f"  {row['level']:<9} {row['count']:>3}  {row['share']:>6.1%}   target {row['target']:.0%}")
    echo(f"  total     {report['total']:>3}")
    echo("")
    echo("Work orders by state:")
    for state, n in sorted(states.items()):
        echo(f"  {state:<15} {n:>3}")
    echo("")
    echo(f"Dispatch events per unit topic ({sum(topics.values())} events on {len(topics)} topics):")
    for topic, n in topics.most_common():
        echo(f"  {topic:<40} {n:>3}")
    return {"report": report, "states": states, "topics": dict(topics), "orders": [o for o, _ in orders],
            "clocks": clocks}
