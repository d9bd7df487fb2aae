"""deploy/: manifests parse, references resolve, images are pinned, ports agree with the settings."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from dyadwatch.streams.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
WEB_PORT = str(Settings().web_port)


def load(path: str) -> dict:
    return yaml.safe_load((DEPLOY / path).read_text())


def k8s() -> dict[str, dict]:
    return {
        doc["kind"]: doc
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
    }


def test_compose_references_resolve_and_images_are_pinned():
    compose = load("docker-compose.yml")
    for name, service in compose["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: image {image} is not pinned"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert (DEPLOY / source).exists(), f"{name}: {source} does not exist"
        if "build" in service:
            assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        for network in service.get("networks", []):
            assert network in compose["networks"]
    assert compose["networks"]["internal"]["internal"] is True
    assert set(compose["services"]["kafka"]["networks"]) == {"internal"}


def test_ports_agree_with_the_worker_settings():
    compose = load("docker-compose.yml")
    assert compose["services"]["dyadwatch-worker"]["environment"]["DYADWATCH_WEB_PORT"] == WEB_PORT
    assert load("prometheus/prometheus.compose.yml")["scrape_configs"][0]["dns_sd_configs"][0]["port"] == int(WEB_PORT)
    assert load("prometheus/prometheus.yml")["scrape_configs"][0]["static_configs"][0]["targets"] == [
        f"127.0.0.1:{WEB_PORT}"
    ]
    docs = k8s()
    pod = docs["Deployment"]["spec"]["template"]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == WEB_PORT
    assert pod["spec"]["containers"][0]["ports"][0]["containerPort"] == int(WEB_PORT)
    assert docs["ConfigMap"]["data"]["DYADWATCH_WEB_PORT"] == WEB_PORT
    assert docs["Service"]["spec"]["ports"][0]["port"] == int(WEB_PORT)
    assert "EXPOSE 6066" in (DEPLOY / "Dockerfile").read_text()


def test_kubernetes_worker_is_sized_to_the_partitions_and_least_privileged():
    docs = k8s()
    deployment = docs["Deployment"]
    assert deployment["spec"]["replicas"] <= int(docs["ConfigMap"]["data"]["DYADWATCH_PARTITIONS"])
    assert deployment["spec"]["selector"]["matchLabels"] == docs["Service"]["spec"]["selector"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False and pod["securityContext"]["runAsNonRoot"] is True
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["containers"][0]["envFrom"][0]["configMapRef"]["name"] == docs["ConfigMap"]["metadata"]["name"]
    # Credentials only as read-only files from a Secret, never as values in the ConfigMap or the pod spec.
    secret = next(v for v in pod["volumes"] if "secret" in v)
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == secret["name"])
    assert mount["readOnly"] is True and secret["secret"]["defaultMode"] == 0o400
    assert not any("PASSWORD" in key and not key.endswith("_FILE") for key in docs["ConfigMap"]["data"])
    assert "env" not in pod["containers"][0]


def test_grafana_provisioning_matches_the_dashboards():
    source = load("grafana/provisioning/datasources/prometheus.yml")["datasources"][0]
    for board in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        for panel in json.loads(board.read_text())["panels"]:
            assert panel["datasource"]["uid"] == source["uid"]
    compose = load("docker-compose.yml")
    provider = load("grafana/provisioning/dashboards/dyadwatch.yml")["providers"][0]
    assert any(v.endswith(f":{provider['options']['path']}:ro") for v in compose["services"]["grafana"]["volumes"])


def test_dashboards_are_generated_from_code_and_up_to_date():
    result = subprocess.run([sys.executable, str(DEPLOY / "grafana" / "build_dashboards.py"), "--check"],
                            capture_output=True)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()


def test_the_image_build_stage_copies_every_file_the_build_reads():
    import tomllib

    root = DEPLOY.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())
    packages = set(project["tool"]["setuptools"]["package-dir"].values())  # the folders installed as dyadwatch.*
    needed = {"pyproject.toml", "setup.py", project["project"]["readme"], *project["project"]["license-files"],
              *project["build-system"]["backend-path"], *packages}  # fmt: skip
    copied = set()
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            copied.update(line.split()[1:-1])
    assert needed <= copied, needed - copied
