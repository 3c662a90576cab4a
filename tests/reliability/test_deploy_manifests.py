"""The deployment's files, checked without a cluster: the Kubernetes manifests of deploy/k8s/
against the API schemas (kubernetes-validate, strict: unknown fields refused), and the nginx
configuration that deploy/team.py generates, by ``nginx -t``."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from processes import REPO
from reliability_helpers import team

K8S = REPO / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30"


def _resources():
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def test_every_manifest_matches_the_kubernetes_schema():
    kv = pytest.importorskip("kubernetes_validate", reason="pip install 'despina[test]'")
    kinds = []
    for name, doc in _resources():
        try:
            kv.validate(doc, KUBERNETES_VERSION, strict=True)
        except kv.ValidationError as e:
            pytest.fail(f"{name}: {doc['kind']} {doc['metadata']['name']}: {e.message}")
        kinds.append(doc["kind"])
    assert sorted(kinds) == ["ConfigMap", "Deployment", "Ingress", "Job", "Secret", "Service"]


def test_the_schema_check_refuses_a_misspelt_field():
    kv = pytest.importorskip("kubernetes_validate", reason="pip install 'despina[test]'")
    (deployment,) = (doc for _, doc in _resources() if doc["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["livenessProbe"]["httpGet"]["pth"] = container["livenessProbe"]["httpGet"].pop("path")
    with pytest.raises(kv.ValidationError):
        kv.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_three_replicas_probed_on_health_and_fed_the_settings():
    docs = {doc["kind"]: doc for _, doc in _resources()}
    spec = docs["Deployment"]["spec"]
    assert spec["replicas"] == 3
    container = spec["template"]["spec"]["containers"][0]
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] == "/api/v1/health"
    sources = {next(iter(s.values()))["name"] for s in container["envFrom"]}
    assert sources == {docs["ConfigMap"]["metadata"]["name"], docs["Secret"]["metadata"]["name"]}
    from despina.server.settings import SERVER_SETTINGS

    known = {s.env for s in SERVER_SETTINGS} | {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    given = set(docs["ConfigMap"]["data"]) | set(docs["Secret"]["stringData"])
    assert given <= known, given - known  # no misspelt setting


def test_the_generated_nginx_configuration_is_valid(tmp_path):
    config = team.Config(state_dir=str(tmp_path / "team"), port=18780)
    if not team.Path(config.nginx).exists():
        pytest.fail("nginx is missing (/usr/sbin/nginx): apt-get install nginx")
    deployment = team.Deployment(config)
    for sub in ("logs", "nginx", "run"):
        (deployment.state / sub).mkdir(parents=True)
    conf = deployment.render_nginx()
    text = conf.read_text()
    assert "{{" not in text
    for port in config.replica_ports:
        assert f"server 127.0.0.1:{port} max_fails=2 fail_timeout=5s;" in text
    # POSTs go to another replica only where they are idempotent.
    directives = "\n".join(line.split("#")[0] for line in text.splitlines())
    blocks = directives.split("location ")[1:]
    retried = [b.split("{")[0].strip() for b in blocks if "non_idempotent" in b]
    assert retried == ["= /api/v1/batches", "= /api/v1/containers"]
    check = subprocess.run(
        [config.nginx, "-t", "-p", str(deployment.state / "nginx") + "/", "-e", "stderr"]
        + ["-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_a_missing_nginx_is_named_with_its_install_command(tmp_path):
    config = team.Config(state_dir=str(tmp_path / "team"), nginx=str(tmp_path / "no-nginx"))
    with pytest.raises(team.DeployError, match="apt-get install nginx"):
        team.Deployment(config).up()
