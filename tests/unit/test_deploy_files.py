"""Keep docker-compose.yml, .env.example, deploy/ and the k8s manifests honest without Docker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.settings import (
    CalendarSettings,
    NotifierSettings,
    RegistrySettings,
    ServiceSettings,
)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
INFRA = ("mongo", "rabbitmq", "mailpit")
SETTINGS: dict[str, type[ServiceSettings]] = {
    "services.registry": RegistrySettings,
    "services.calendar": CalendarSettings,
    "services.notifier": NotifierSettings,
}
ALL_FIELDS = {name.upper() for settings in SETTINGS.values() for name in settings.model_fields}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def app_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in compose()["services"].items() if "build" in service}


def module_of(service: dict[str, Any]) -> str:
    command = service["command"]
    assert command[:2] == ["python", "-m"], command
    return str(command[2])


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, document)
        for path in sorted(K8S.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def env_example_names() -> dict[str, int]:
    """Map each documented variable to its line number in .env.example."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    names: dict[str, int] = {}
    for number, line in enumerate(lines):
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.setdefault(match[1], number)
    return names


def test_compose_runs_the_infrastructure_and_the_three_services() -> None:
    services = compose()["services"]

    assert {*INFRA, "registry", "calendar", "notifier"} <= services.keys()
    assert services["mongo"]["image"] == "mongo:7"
    assert services["rabbitmq"]["image"] == "rabbitmq:3-management"
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert {module_of(s) for s in app_services().values()} == set(SETTINGS)


def test_mongo_is_a_replica_set_initiated_by_its_health_check() -> None:
    mongo = compose()["services"]["mongo"]
    command = mongo["command"]
    script_mount = next(v for v in mongo["volumes"] if "init-replica-set.js" in v)
    host_path, container_path = script_mount.split(":")[:2]
    script = (ROOT / host_path).read_text()

    assert command[command.index("--replSet") + 1] == "rs0"
    assert container_path in mongo["healthcheck"]["test"]
    assert "rs.initiate" in script
    assert '_id: "rs0"' in script
    assert "isWritablePrimary" in script
    for name, service in app_services().items():
        assert "replicaSet=rs0" in service["environment"]["MONGODB_URL"], name


def test_every_infrastructure_service_has_a_health_check() -> None:
    services = compose()["services"]

    for name in INFRA:
        assert services[name]["healthcheck"]["test"], name
    assert services["rabbitmq"]["healthcheck"]["test"][1:] == ["rabbitmq-diagnostics", "-q", "ping"]


@pytest.mark.parametrize("name", sorted(app_services()))
def test_app_service_builds_the_one_image_and_waits_for_healthy_infrastructure(
    name: str,
) -> None:
    service = app_services()[name]

    assert service["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    for dependency in INFRA:
        assert service["depends_on"][dependency] == {"condition": "service_healthy"}
    for dependency, rule in service["depends_on"].items():
        assert dependency in compose()["services"], dependency
        assert rule == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", sorted(app_services()))
def test_app_service_health_check_probes_healthz_on_its_own_port(name: str) -> None:
    service = app_services()[name]
    probe = " ".join(service["healthcheck"]["test"])
    port = service["environment"]["PORT"]

    assert service["healthcheck"]["test"][:2] == ["CMD", "python"]  # slim images have no curl
    assert f"http://127.0.0.1:{port}/healthz" in probe
    assert service["environment"]["HOST"] == "0.0.0.0"  # noqa: S104 - inside a container
    for published in service.get("ports", []):
        assert published == f"{port}:{port}"


@pytest.mark.parametrize("name", sorted(app_services()))
def test_app_service_sets_only_variables_its_settings_read(name: str) -> None:
    service = app_services()[name]
    settings = SETTINGS[module_of(service)]
    fields = {field.upper() for field in settings.model_fields}

    assert set(service["environment"]) <= fields
    assert str(settings.model_fields["port"].default) == service["environment"]["PORT"]


def test_services_reach_each_other_and_the_infrastructure_by_compose_names() -> None:
    services = compose()["services"]
    rabbit = services["rabbitmq"]["environment"]

    for name, service in app_services().items():
        env = service["environment"]
        assert env["REGISTRY_URL"] == "http://registry:8081", name
        assert env["CALENDAR_URL"] == "http://calendar:8082", name
        assert env["NOTIFIER_URL"] == "http://notifier:8083", name
        user = rabbit["RABBITMQ_DEFAULT_USER"]
        vhost = rabbit["RABBITMQ_DEFAULT_VHOST"]
        assert re.fullmatch(rf"amqp://{user}:\$\{{.+\}}@rabbitmq:5672/{vhost}", env["AMQP_URL"])
        if module_of(service) == "services.notifier":
            assert env["SMTP_URL"] == "smtp://mailpit:1025"


def test_notifier_workers_run_apart_from_the_api() -> None:
    services = app_services()

    assert services["notifier-worker"]["environment"]["ROLES"] == '["worker"]'
    assert "worker" not in services["notifier"]["environment"]["ROLES"]


def test_env_example_documents_every_settings_field_with_a_description() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    names = env_example_names()

    assert names.keys() >= ALL_FIELDS, ALL_FIELDS - names.keys()
    for name in ALL_FIELDS:
        description = lines[names[name] - 1]
        assert description.startswith("# "), name
        assert not re.match(r"^# [A-Z][A-Z0-9_]*=", description), name


def test_env_example_documents_every_variable_compose_interpolates() -> None:
    used = set(INTERPOLATION.findall((ROOT / "docker-compose.yml").read_text()))
    active = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line)
    }

    assert used <= env_example_names().keys(), used - env_example_names().keys()
    assert {"SECRET_KEY", "RABBITMQ_PASSWORD"} <= active  # required: no default in compose


def test_dockerfile_builds_one_slim_image_that_runs_as_non_root() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
    froms = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    user = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)

    assert set(froms) == {"python:3.11-slim"}
    assert user
    assert not user[-1].startswith(("root", "0"))
    assert "pip install" in dockerfile
    for copied in re.findall(r"^COPY (?!--)(\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / copied).exists(), copied
        assert f"!{copied.rstrip('/')}/" in ignore or f"!{copied}" in ignore, copied


def test_k8s_manifests_parse_with_known_kinds() -> None:
    kinds = [document["kind"] for _, document in k8s_documents()]

    assert set(kinds) <= {
        "Namespace",
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "Kustomization",
    }
    assert kinds.count("Deployment") == 6
    assert kinds.count("Service") == 4


def test_k8s_deployments_scale_apis_workers_and_one_scheduler() -> None:
    deployments = {
        document["metadata"]["name"]: document
        for _, document in k8s_documents()
        if document["kind"] == "Deployment"
    }

    def roles(name: str) -> str | None:
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        return env.get("ROLES")

    replicas = {name: d["spec"]["replicas"] for name, d in deployments.items()}
    assert replicas == {
        "front": 2,
        "registry": 2,
        "calendar": 2,
        "notifier": 2,
        "notifier-worker": 3,
        "notifier-scheduler": 1,
    }
    assert roles("notifier") == '["api"]'
    assert roles("notifier-worker") == '["worker"]'
    assert roles("notifier-scheduler") == '["scheduler"]'


def test_k8s_pods_read_only_settings_fields_from_existing_config() -> None:
    documents = [document for _, document in k8s_documents()]
    config_keys = {
        document["metadata"]["name"]: set(document.get("data") or document.get("stringData"))
        for document in documents
        if document["kind"] in ("ConfigMap", "Secret")
    }
    for keys in config_keys.values():
        assert keys <= ALL_FIELDS, keys - ALL_FIELDS

    for document in documents:
        if document["kind"] != "Deployment" or document["metadata"]["name"] == "front":
            continue
        pod = document["spec"]["template"]["spec"]
        [container] = pod["containers"]
        settings = SETTINGS[container["command"][2]]
        fields = {field.upper() for field in settings.model_fields}
        assert {item["name"] for item in container["env"]} <= fields
        for source in container["envFrom"]:
            reference = source.get("configMapRef") or source.get("secretRef")
            assert reference["name"] in config_keys
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert (
            document["spec"]["selector"]["matchLabels"]
            == document["spec"]["template"]["metadata"]["labels"]
        )


def test_k8s_services_select_a_deployment_and_kustomization_lists_real_files() -> None:
    documents = [document for _, document in k8s_documents()]
    pod_labels = [
        document["spec"]["template"]["metadata"]["labels"]
        for document in documents
        if document["kind"] == "Deployment"
    ]
    [kustomization] = [d for d in documents if d["kind"] == "Kustomization"]

    for service in (d for d in documents if d["kind"] == "Service"):
        selector = service["spec"]["selector"]
        matches = [labels for labels in pod_labels if selector.items() <= labels.items()]
        assert len(matches) == 1, service["metadata"]["name"]
    for resource in kustomization["resources"]:
        assert (K8S / resource).exists(), resource
    assert "secret.template.yaml" not in kustomization["resources"]


def test_the_calendar_is_published_only_through_its_micro_caching_front() -> None:
    services = compose()["services"]
    front = services["front"]
    config = (K8S / "front-nginx.conf").read_text()

    assert "ports" not in services["calendar"]
    assert front["ports"] == ["8082:8080"]
    assert "./deploy/k8s/front-nginx.conf:/etc/nginx/nginx.conf:ro" in front["volumes"]
    # Public feeds are cached a second and shared; private feeds never.
    public = config.split("location /feeds/ {", 1)[1].split("}", 1)[0]
    private = config.split("location /feeds/private/ {", 1)[1].split("}", 1)[0]
    assert "proxy_cache feeds;" in public
    assert "proxy_cache_valid 200 1s;" in public
    # Else the calendar's max-age=300 for clients would hold the cached copy 5 minutes.
    assert "proxy_ignore_headers Cache-Control Expires Set-Cookie;" in public
    assert 'proxy_set_header Authorization "";' in public
    assert "proxy_cache off;" in private
    assert "server_tokens off;" in config
    [kustomization] = [d for _, d in k8s_documents() if d["kind"] == "Kustomization"]
    [generated] = kustomization["configMapGenerator"]
    assert generated["files"] == ["nginx.conf=front-nginx.conf"]
