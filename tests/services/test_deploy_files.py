"""deploy/ against the code: each service container runs `hotline serve <service>` on its default port,
is given everything a service run on its own must share with the others, and every variable the files
set is one the settings read (a misspelt name is a silent misconfiguration)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from services.cli.run import DEFAULT_PORTS
from services.settings import CoreSettings, environment_name

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "router", "escalation", "feedback")
SHARED = {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "HOTLINE_PII_KEYS", "HOTLINE_TOKEN_SECRET"}
READ_BY_SETTINGS = {environment_name(field) for field in CoreSettings.model_fields}


def _k8s(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((ROOT / "deploy/k8s" / name).read_text(encoding="utf-8")) if d]


def _k8s_config() -> dict[str, set[str]]:
    """ConfigMap or Secret name -> the variables it holds."""
    return {d["metadata"]["name"]: set(d.get("data") or d.get("stringData") or {})
            for d in _k8s("config.yaml") if d["kind"] in ("ConfigMap", "Secret")}


def test_each_compose_service_serves_itself_on_its_port_with_the_shared_settings() -> None:
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text(encoding="utf-8"))
    for name in SERVICES:
        service = compose["services"][name]
        command = service["command"]
        assert command[:2] == ["serve", name], command
        port = str(DEFAULT_PORTS[name])
        assert command[command.index("--port") + 1] == port and f"{port}:{port}" in service["ports"]
        assert f"127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])
        assert SHARED <= set(service["environment"]), name
    for name, service in compose["services"].items():
        if service.get("image") == "hotline:local":
            assert sorted(set(service["environment"]) - READ_BY_SETTINGS) == [], name


def test_each_kubernetes_deployment_serves_itself_with_the_shared_settings() -> None:
    config = _k8s_config()
    assert sorted(set().union(*config.values()) - READ_BY_SETTINGS) == []
    for name in SERVICES:
        [deployment] = [d for d in _k8s(f"{name}.yaml") if d["kind"] == "Deployment"]
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        args, port = container["args"], DEFAULT_PORTS[name]
        assert args[:2] == ["serve", name] and args[args.index("--port") + 1] == str(port), args
        assert container["ports"][0]["containerPort"] == port
        given = set().union(*(config[(source.get("secretRef") or source["configMapRef"])["name"]]
                              for source in container["envFrom"]))
        given |= {e["name"] for e in container.get("env", [])}
        assert SHARED <= given, (name, sorted(SHARED - given))
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
