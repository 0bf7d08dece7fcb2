"""No plaintext secret value from any environment's secrets file reaches a plan, a graph or a log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platformkit.graph.model import SECRET, ResourceGraph
from platformkit.secrets import Sops, read_secrets

REPO = Path(__file__).resolve().parents[2]
IDENTITIES = sorted((REPO / "tests" / "fixtures" / "age").glob("*.agekey"))


@pytest.fixture(scope="module")
def secret_values() -> list[str]:
    sops = Sops.locate(config=REPO / ".sops.yaml", age_identities=IDENTITIES)
    values = []
    for env in ("dev", "staging", "prod", "perf"):
        values += [str(v) for v in read_secrets(env, REPO, sops=sops).secret_values() if len(str(v)) >= 6]
    assert len(values) >= 8, "the sample secrets files should hold several values"
    return values


def leaked(text: str, values: list[str]) -> list[int]:
    """Indexes (never the values) of secrets found in ``text``."""
    return [i for i, value in enumerate(values) if value in text]


def test_graphs_mask_every_secret(env_graphs: dict[str, ResourceGraph], secret_values: list[str]) -> None:
    for env, graph in env_graphs.items():
        assert graph.warnings == [], "the sample secrets were decrypted for real, not replaced by placeholders"
        text = json.dumps(graph.to_json())
        assert leaked(text, secret_values) == [], f"plaintext secret in the {env} graph"
        kv = [r for r in graph.resources if r.type == "vault:kv/secretV2:SecretV2"]
        assert kv and all(r.inputs["dataJson"] == SECRET for r in kv)


def test_plan_output_and_logs_mask_every_secret(secret_values: list[str], tmp_path: Path) -> None:
    keys = "\n".join(line for p in IDENTITIES for line in p.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-"))
    done = subprocess.run(
        [sys.executable, "-m", "platformkit.cli", "plan", "--all", "--details", "--json", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "SOPS_AGE_KEY": keys, "COLUMNS": "300"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    everything = done.stdout + done.stderr + "".join(p.read_text() for p in tmp_path.iterdir())
    assert "[secret]" in done.stdout
    assert leaked(everything, secret_values) == []


def test_policy_gate_renderings_and_reports_mask_every_secret(secret_values: list[str], tmp_path: Path) -> None:
    keys = "\n".join(line for p in IDENTITIES for line in p.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-"))
    rendered, reports = tmp_path / "rendered", tmp_path / "reports"
    reports.mkdir()
    done = subprocess.run(
        [
            sys.executable, "-m", "platformkit.cli", "policy", "--all", "--keep", str(rendered),
            "--sarif", str(reports / "gate.sarif"), "--junit", str(reports / "gate.xml"), "--json", str(reports / "gate.json"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "SOPS_AGE_KEY": keys, "COLUMNS": "300"},
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    files = [p for p in [*rendered.rglob("*"), *reports.iterdir()] if p.is_file()]
    assert any(p.name.endswith(".tfplan.json") for p in files) and len(files) >= 8
    everything = done.stdout + done.stderr + "".join(p.read_text(errors="replace") for p in files)
    assert leaked(everything, secret_values) == []


def test_a_tampered_secrets_file_stops_the_plan_even_offline(tmp_path: Path) -> None:
    import shutil

    for item in ("Pulumi.yaml", ".sops.yaml", "environments"):
        src = REPO / item
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / item)
    path = tmp_path / "environments" / "secrets" / "dev.enc.yaml"
    text = path.read_text()
    start = text.index("ENC[AES256_GCM,data:") + len("ENC[AES256_GCM,data:")
    path.write_text(text[:start] + ("A" if text[start] != "A" else "B") + text[start + 1 :])
    done = subprocess.run(
        [sys.executable, "-m", "platformkit.cli", "plan", "dev"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PLATFORM_ROOT": str(tmp_path), "SOPS_AGE_KEY_FILE": str(REPO / "tests/fixtures/age/dev.agekey")},
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "secrets" in done.stderr.lower()
