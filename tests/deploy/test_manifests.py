"""deploy/: the Kubernetes manifests pass the Kubernetes schemas, and compose and Kubernetes both
give every service its database, its migration job, its probes and every secret it asks for.

Offline: kubernetes-validate bundles the schemas.
"""

from __future__ import annotations

import functools
import importlib
import re
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES_VERSION = "1.30.0"


def services() -> list[tuple[str, str]]:
    """(directory, package) for every service in the repository."""
    found = []
    for pyproject in sorted((ROOT / "services").glob("*/pyproject.toml")):
        name = tomllib.loads(pyproject.read_text())["project"]["name"]
        found.append((pyproject.parent.name, name.replace("-", "_")))
    return found


SERVICES = services()


def settings_of(package: str):
    return importlib.import_module(f"{package}.config").Settings


def prefix_of(package: str) -> str:
    return settings_of(package).model_config["env_prefix"]


def secret_names(package: str) -> set[str]:
    """The environment variables the service refuses to start without, outside development."""
    named = settings_of(package)().secrets_with_development_defaults()
    # Keyed secrets ("X_OPERATOR_TOKENS[desk-01]") are all set through the one variable.
    return {re.sub(r"\[.*\]$", "", name) for name in named}


@functools.cache
def manifests() -> list[tuple[str, dict]]:
    return [
        (path.name, doc)
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def kinds(name: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for _, doc in manifests():
        if doc["metadata"].get("labels", {}).get("app.kubernetes.io/name") == name:
            found.setdefault(doc["kind"], []).append(doc)
    return found


def test_every_kubernetes_manifest_passes_the_kubernetes_schema_strictly():
    docs = manifests()
    assert len(docs) > len(SERVICES) * 6
    for file, doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{file} {doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")


def test_every_kubernetes_object_lives_in_the_namespace_the_manifests_create():
    namespaces = {doc["metadata"]["name"] for _, doc in manifests() if doc["kind"] == "Namespace"}
    assert namespaces == {"medsecurity"}
    assert {doc["metadata"].get("namespace") for _, doc in manifests() if doc["kind"] != "Namespace"} == namespaces


@pytest.mark.parametrize(("directory", "package"), SERVICES)
def test_each_service_has_a_probed_resource_limited_autoscaled_deployment_behind_a_service(directory, package):
    objects = kinds(directory)
    api = next(d for d in objects["Deployment"] if d["metadata"]["name"] == directory)
    for deployment in objects["Deployment"]:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert set(container["resources"]) == {"requests", "limits"}
            assert f"{package}.main:app" in container["command"]
    (service,) = objects["Service"]
    assert service["spec"]["selector"] == api["spec"]["selector"]["matchLabels"]
    (autoscaler,) = objects["HorizontalPodAutoscaler"]
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == directory
    assert autoscaler["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize(("directory", "package"), SERVICES)
def test_each_service_migrates_in_a_job_with_the_deployments_configuration(directory, package):
    objects = kinds(directory)
    (job,) = objects["Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["alembic", "upgrade", "head"]
    api = next(d for d in objects["Deployment"] if d["metadata"]["name"] == directory)
    assert container["envFrom"] == api["spec"]["template"]["spec"]["containers"][0]["envFrom"]


@pytest.mark.parametrize(("directory", "package"), SERVICES)
def test_each_service_gets_its_own_database_and_every_secret_it_asks_for_from_a_template_it_refuses(directory, package):
    objects = kinds(directory)
    (config,) = objects["ConfigMap"]
    (secret,) = objects["Secret"]
    prefix = prefix_of(package)
    assert config["data"][f"{prefix}ENVIRONMENT"] == "production"
    assert "KAFKA_BOOTSTRAP_SERVERS" in config["data"]
    values = secret["stringData"]
    assert values[f"{prefix}DATABASE_URL"].endswith(f"/{package}")
    assert secret_names(package) <= set(values)
    # Left as they are, the placeholders stop the service: production refuses "dev..." secrets.
    assert all(v.startswith("dev") or "dev-change-me" in v for v in values.values())


@functools.cache
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_postgresql_and_kafka_in_kraft_mode_with_healthchecks():
    stack = compose()["services"]
    assert "healthcheck" in stack["postgres"] and "healthcheck" in stack["kafka"]
    assert "controller" in stack["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert "ZOOKEEPER" not in str(stack["kafka"]).upper()


@pytest.mark.parametrize(("directory", "package"), SERVICES)
def test_compose_migrates_each_service_once_into_its_own_database_before_starting_it(directory, package):
    stack = compose()["services"]
    prefix = prefix_of(package)
    migrate = stack[f"{directory}-migrate"]
    service = stack[directory]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["build"]["args"] == {"SERVICE": directory, "PACKAGE": package}
    assert service["depends_on"] == {
        f"{directory}-migrate": {"condition": "service_completed_successfully"},
        "kafka": {"condition": "service_healthy"},
    }
    url = service["environment"][f"{prefix}DATABASE_URL"]
    assert url == migrate["environment"][f"{prefix}DATABASE_URL"] and url.endswith(f"/{package}")
    assert f"CREATE DATABASE {package};" in (DEPLOY / "initdb.sql").read_text()
    assert service["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert "readyz" in str(service["healthcheck"]["test"])


@pytest.mark.parametrize(("directory", "package"), SERVICES)
def test_compose_gives_each_service_every_secret_it_asks_for_from_a_file_kept_out_of_git(directory, package):
    assert compose()["services"][directory]["env_file"] == [f"./secrets/{directory}.env"]
    example = (DEPLOY / "secrets" / f"{directory}.env.example").read_text()
    named = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")}
    assert secret_names(package) <= named
    assert "*.env" in (DEPLOY / "secrets" / ".gitignore").read_text().split()
