"""The deployment files, checked without Docker or a cluster: compose.yaml by Debian's
docker-compose and against the code; the Kubernetes manifests against the Kubernetes
schemas (kubernetes-validate) and the topology; the broker definitions against the topology."""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from scripts.harness import command_for
from services.box.settings import BoxSettings
from services.ingest.settings import IngestSettings
from services.notifier.settings import NotifierSettings
from services.paper.settings import PaperSettings
from services.router.settings import RouterSettings
from shared.messaging.topology import Queues
from tests.support.samples import AGENCIES
from tools.provisioning import definitions

COMPOSE = yaml.safe_load(Path("compose.yaml").read_text())
K8S = Path("deploy/k8s")
KUBERNETES_VERSION = "1.30.0"
SETTINGS_VARIABLES = {
    f"BERICHTENBOX_{name.upper()}"
    for settings in (IngestSettings, RouterSettings, NotifierSettings, PaperSettings, BoxSettings)
    for name in settings.model_fields
} | {"BERICHTENBOX_RABBITMQ_MANAGEMENT_URL"}
WORK_QUEUES = {q.name for q in Queues.WORK}


def test_docker_compose_accepts_compose_yaml() -> None:
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is missing: `make install` installs it from Debian (no Docker engine needed)")
    result = subprocess.run(
        ["docker-compose", "-f", "compose.yaml", "config", "-q"],
        env={**os.environ, "RABBITMQ_PASSWORD": "test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_commands_variables_and_images_exist() -> None:
    services = COMPOSE["services"]
    assert {"ingest", "router", "notifier", "paper", "rabbitmq", "mongodb", "mailpit"} <= set(services)
    for name in ("ingest", "router", "notifier", "paper"):
        service = services[name]
        [target] = service["command"]
        module, _, factory = target.partition(":")
        assert callable(getattr(importlib.import_module(module), factory)), target
        assert service["deploy"]["replicas"] >= 1
        assert "healthcheck" in service
        assert {d: c["condition"] for d, c in service["depends_on"].items()}["rabbitmq"] == "service_healthy"
    variables = {v for s in services.values() for v in (s.get("environment") or {}) if v.startswith("BERICHTENBOX_")}
    assert variables <= SETTINGS_VARIABLES, variables - SETTINGS_VARIABLES
    for service in services.values():
        if "image" in service:
            tag = service["image"].partition(":")[2]
            assert tag and tag != "latest" and not tag.startswith("latest"), service["image"]
    assert "${RABBITMQ_PASSWORD:?" in Path("compose.yaml").read_text()


def test_broker_definitions_fit_the_topology() -> None:
    agencies = list(AGENCIES.values())
    document = definitions(agencies, {a.agency_id: "pw" for a in agencies}, "berichtenbox", "pw")
    for policy in document["policies"]:
        matched = {
            q for q in WORK_QUEUES | {f"{q}.dead-letter" for q in WORK_QUEUES} if re.search(policy["pattern"], q)
        }
        assert matched == WORK_QUEUES, policy["name"]
    for permission in document["permissions"][1:]:
        agency = next(a for a in agencies if a.broker_user == permission["user"])
        assert re.fullmatch(permission["read"], f"receipts.{agency.agency_id}")
        assert not any(
            re.fullmatch(permission["read"], f"receipts.{other}") for other in AGENCIES if other != agency.agency_id
        )
        assert permission["configure"] == "^$"


def manifests() -> list[dict[str, Any]]:
    return [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )


@pytest.mark.parametrize(
    "document",
    [d for d in manifests() if not d["apiVersion"].startswith("keda.sh")],
    ids=lambda d: f"{d['kind']}/{d['metadata']['name']}",
)
def test_kubernetes_objects_are_valid(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_consumer_scales_on_its_queue_and_has_probes_and_a_budget() -> None:
    documents = manifests()
    deployments = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Deployment"}
    budgets = {d["metadata"]["name"] for d in documents if d["kind"] == "PodDisruptionBudget"}
    scaled = [d for d in documents if d["kind"] == "ScaledObject"]
    assert set(deployments) == {"ingest", "router", "notifier", "paper", "box"} == budgets
    assert {s["spec"]["scaleTargetRef"]["name"] for s in scaled} == set(deployments)
    for s in scaled:
        for trigger in s["spec"]["triggers"]:
            if s["spec"]["scaleTargetRef"]["name"] == "box":  # the box scales on request rate
                assert trigger["type"] == "prometheus"
                assert "berichtenbox_http_request_duration_seconds_count" in trigger["metadata"]["query"]
            else:
                assert trigger["type"] == "rabbitmq"
                assert trigger["metadata"]["queueName"] in WORK_QUEUES
    for deployment in deployments.values():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        name = deployment["metadata"]["name"]
        if name == "box":
            assert container["command"] == ["python", "-m", "services.box"]
        else:
            assert container["args"] == [f"services.{name}.main:create_app"]
        assert {"readinessProbe", "livenessProbe"} <= set(container)
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert {e["name"] for e in container["env"]} <= SETTINGS_VARIABLES
    config = next(d for d in documents if d["kind"] == "ConfigMap")
    assert set(config["data"]) <= SETTINGS_VARIABLES


def test_work_downstream_of_the_route_yields_the_cpu_in_the_harness_and_in_compose() -> None:
    """Notifier and paper run at a lower CPU priority than ingest and the router, on a shared
    machine (the harness: `nice`) as under Docker (`cpu_shares`, default 1024)."""
    for service in ("ingest", "router"):
        assert command_for(service)[0] == sys.executable
        assert "cpu_shares" not in COMPOSE["services"][service]
    for service in ("notifier", "paper"):
        assert command_for(service)[:3] == ["nice", "-n", "10"]
        assert command_for(service)[3:] == [
            sys.executable,
            "-m",
            "faststream",
            "run",
            "--factory",
            f"services.{service}.main:create_app",
        ]
        assert COMPOSE["services"][service]["cpu_shares"] < 1024
