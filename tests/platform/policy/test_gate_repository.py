"""`platform policy --repo`: GitHub workflows, Ansible, Dockerfiles and committed secrets, one Checkov call."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from pathlib import Path

import pytest

from platformkit.policy.checkov import CheckovError
from platformkit.policy.gate import Policies, run_repo_scan
from platformkit.policy.suppressions import load_suppressions, load_unscannable
from platformkit.policy.verdict import Severity, load_severities

REPO = Path(__file__).resolve().parents[3]
TODAY = date(2026, 6, 1)

WORKFLOW = """\
on: issues
permissions:
  contents: read
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.issue.title }}"
"""
PLAYBOOK = """\
- name: fetch
  hosts: localhost
  tasks:
    - name: download without verifying the certificate
      ansible.builtin.get_url:
        url: https://example.com/x
        dest: /tmp/x
        validate_certs: false
"""
# A syntactically real (but invented) AWS key pair: what the secrets scan exists for. Derived at run
# time so that this file itself holds no key-like string for the repository scan to find.
_DIGEST = hashlib.sha256(b"an invented key pair for the secrets scan test").digest()
KEY_ID = "AKIA" + base64.b32encode(_DIGEST).decode()[:16]
SECRET_KEY = base64.b64encode(_DIGEST + _DIGEST).decode()[:40]
CREDENTIALS = f'aws_access_key_id = "{KEY_ID}"\naws_secret_access_key = "{SECRET_KEY}"\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "greet.yml").write_text(WORKFLOW)
    (root / "runbooks").mkdir()
    (root / "runbooks" / "fetch.yml").write_text(PLAYBOOK)
    (root / "images").mkdir()
    (root / "images" / "Dockerfile").write_text("FROM python:latest\nRUN pip install requests\n")
    (root / "tools").mkdir()
    (root / "tools" / "deploy.py").write_text(CREDENTIALS)
    # Skipped paths: the virtualenv and the deliberately insecure check fixtures.
    for skipped in (".venv/lib", "tests/policies/fixtures/Leak"):
        (root / skipped).mkdir(parents=True)
        (root / skipped / "leak.py").write_text(CREDENTIALS)
    return root


def policies(root: Path, suppressions: str = "suppressions: []\n") -> Policies:
    (root / "suppressions.yaml").write_text(suppressions)
    return Policies(
        load_suppressions(root / "suppressions.yaml", environments=["dev"], shown="policies/suppressions.yaml"),
        load_unscannable(root / "none.yaml"),
        load_severities(REPO / "policies" / "severities.yaml"),
        root / "policies",
        ["dev"],
    )


def test_every_framework_reports_with_file_and_line(repo: Path) -> None:
    verdict = run_repo_scan(repo, policies=policies(repo), today=TODAY).verdict
    failed = {(o.framework, o.check_id, o.name) for o in verdict.failed}
    assert ("github_actions", "CKV_GHA_2", ".github/workflows/greet.yml") in failed  # shell injection
    assert ("ansible", "CKV_ANSIBLE_2", "runbooks/fetch.yml") in failed  # get_url without certificate validation
    assert ("dockerfile", "CKV_DOCKER_7", "images/Dockerfile") in failed  # :latest base image
    secrets = [o for o in verdict.failed if o.framework == "secrets"]
    assert {o.name for o in secrets} == {"tools/deploy.py"}, "skipped paths are not scanned"
    assert all(o.severity == Severity.CRITICAL and o.source and o.source.line in (1, 2) for o in secrets)
    assert all(o.environment == "repo" and o.urn is None for o in verdict.outcomes)
    assert verdict.exit_code == 1


def test_repository_findings_are_suppressed_by_file_glob(repo: Path) -> None:
    text = """\
suppressions:
  - environment: repo
    check: CKV_SECRET_2
    resource: tools/*.py
    reason: invented example key pair used to prove that the secrets scan works
    owner: platform-team
    expires: "2026-12-31"
  - environment: "*"
    check: CKV_DOCKER_7
    resource: images/Dockerfile
    reason: a star entry applies to environments only, never to the repository scan
    owner: platform-team
    expires: "2026-12-31"
"""
    verdict = run_repo_scan(repo, policies=policies(repo, text), today=TODAY).verdict
    suppressed = {(o.check_id, o.name) for o in verdict.having("suppressed")}
    assert ("CKV_SECRET_2", "tools/deploy.py") in suppressed
    assert ("CKV_DOCKER_7", "images/Dockerfile") not in suppressed


def test_a_workflow_checkov_cannot_read_fails_closed(repo: Path) -> None:
    (repo / ".github" / "workflows" / "broken.yml").write_text("on: push\njobs:\n  a:\n    steps: [\n")
    with pytest.raises(CheckovError, match=r"reported nothing for \.github/workflows/broken\.yml \(github_actions\)"):
        run_repo_scan(repo, policies=policies(repo), today=TODAY)


def test_the_repository_itself_passes() -> None:
    result = run_repo_scan(REPO)
    verdict = result.verdict
    assert verdict.exit_code == 0, "\n".join(
        f"{o.check_id} {o.name}:{o.source.line if o.source else ''} {o.check_name}" for o in verdict.failed
    ) + "\n".join(verdict.errors)
    assert verdict.resources_scanned.get("github_actions") is not None, "the workflows were scanned"
