"""``check_repository``: the real repository passes; each way of breaking a copy of it is caught, without values."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from platformkit.secrets import CheckReport, Sops, check_repository
from platformkit.secrets.scan import needles

ALL = ("dev", "perf", "prod", "staging")


def run_check(root: Path, sops_for: Callable[..., Sops], *identities: str) -> CheckReport:
    return check_repository(root, sops_for(*(identities or ALL)))


def problems(report: CheckReport) -> list[str]:
    return [str(f) for f in report.findings]


def test_the_repository_passes(repo_root: Path, sops_for: Callable[..., Sops], assert_no_secrets: Callable[..., None]) -> None:
    report = run_check(repo_root, sops_for)
    assert report.ok, report.render()
    assert len(report.secrets_files) == 4 and len(report.decrypted) == 4
    assert report.scanned_files > 50
    assert_no_secrets(report.render())


def test_a_clean_copy_passes(repo_copy: Path, sops_for: Callable[..., Sops]) -> None:
    report = run_check(repo_copy, sops_for)
    assert report.ok, report.render()


def test_file_encrypted_to_the_wrong_environments_key(
    repo_copy: Path, sops_for: Callable[..., Sops], assert_no_secrets: Callable[..., None]
) -> None:
    secrets = repo_copy / "environments" / "secrets"
    shutil.copy(secrets / "prod.enc.yaml", secrets / "dev.enc.yaml")
    report = run_check(repo_copy, sops_for)
    found = problems(report)
    dev = "environments/secrets/dev.enc.yaml"
    assert (
        f"{dev}: encrypted to a KMS key that .sops.yaml does not prescribe: arn:aws:kms:eu-west-1:333333333333:alias/acme-prod-secrets"
        in (" ".join(found))
    )
    assert any(
        p.startswith(f"{dev}: not encrypted to the KMS key .sops.yaml prescribes: arn:aws:kms:eu-west-1:111111111111")
        for p in found
    )
    assert any(p.startswith(f"{dev}: encrypted to a age recipient that .sops.yaml does not prescribe") for p in found)
    assert_no_secrets(report.render())
    # With only dev's identity, the file does not even decrypt.
    only_dev = run_check(repo_copy, sops_for, "dev")
    assert any(p.startswith(f"{dev}: does not decrypt: no usable key") for p in problems(only_dev))


def test_value_added_in_clear_by_hand(
    repo_copy: Path, sops_for: Callable[..., Sops], assert_no_secrets: Callable[..., None]
) -> None:
    path = repo_copy / "environments" / "secrets" / "staging.enc.yaml"
    canary = "hand-added-Xk39-plaintext"
    path.write_text(path.read_text().replace("grafana:\n", f"grafana:\n    added_password: {canary}\n", 1))
    report = run_check(repo_copy, sops_for)
    found = problems(report)
    assert (
        "environments/secrets/staging.enc.yaml: value of 'grafana.added_password' is not encrypted (added by hand?); "
        "set it with 'platform secrets set'"
    ) in found
    assert any("does not decrypt: integrity check failed" in p for p in found)
    assert_no_secrets(report.render(), extra=[canary])


def test_plaintext_secret_committed_in_another_file(
    repo_copy: Path, sops_for: Callable[..., Sops], git_in: Callable[..., None], assert_no_secrets: Callable[..., None]
) -> None:
    value = sops_for("prod").decrypt(repo_copy / "environments" / "secrets" / "prod.enc.yaml").get("grafana.admin_password", str)
    notes = repo_copy / "docs" / "notes.md"
    notes.parent.mkdir()
    notes.write_text(f"# Notes\n\nfor the record the grafana password is {value} (do not share)\n")
    git_in(repo_copy, "add", "docs/notes.md")
    git_in(repo_copy, "commit", "-q", "-m", "oops")
    report = run_check(repo_copy, sops_for)
    assert problems(report) == ["docs/notes.md:3: plaintext secret committed: a decrypted value of a secrets file"]
    assert_no_secrets(report.render())


def test_untracked_but_not_ignored_files_are_scanned_too(repo_copy: Path, sops_for: Callable[..., Sops]) -> None:
    value = sops_for("dev").decrypt(repo_copy / "environments" / "secrets" / "dev.enc.yaml").get("db.app_password", str)
    (repo_copy / "dev.decrypted.yaml").write_text(f"db:\n  app_password: {value}\n")
    (repo_copy / ".gitignore").write_text("ignored.txt\n")
    (repo_copy / "ignored.txt").write_text(value)
    report = run_check(repo_copy, sops_for)
    assert problems(report) == ["dev.decrypted.yaml:2: plaintext secret committed: a decrypted value of a secrets file"]


def test_secret_patterns_outside_their_allowed_places(
    repo_copy: Path, sops_for: Callable[..., Sops], git_in: Callable[..., None]
) -> None:
    generated = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
    age_key = next(line for line in generated.splitlines() if line.startswith("AGE-SECRET-KEY-"))
    (repo_copy / "leaked.agekey").write_text(age_key + "\n")
    (repo_copy / "tests" / "fixtures" / "age" / "extra.agekey").write_text(age_key + "\n")  # allowed there
    (repo_copy / "aws.env").write_text(
        "AWS_ACCESS_KEY_ID=AKIA" + "Q3EGRXYZ2ABCDE7F\n"
        "aws_secret_access_key = " + "q" * 20 + "/Z" + "9" * 18 + "\n"
        "example=AKIA" + "IOSFODNN7EXAMPLE\n"
    )
    (repo_copy / "id_key").write_text("-----BEGIN OPENSSH " + "PRIVATE KEY-----\nabc\n")
    git_in(repo_copy, "add", "-A")
    report = run_check(repo_copy, sops_for)
    assert sorted(problems(report)) == [
        "aws.env:1: plaintext secret committed: AWS access key ID",
        "aws.env:2: plaintext secret committed: AWS secret access key",
        "id_key:1: plaintext secret committed: private key block",
        "leaked.agekey:1: plaintext secret committed: age secret key",
    ]
    assert age_key not in report.render()


def test_stale_sops_config_and_missing_or_stray_files(repo_copy: Path, sops_for: Callable[..., Sops]) -> None:
    config = repo_copy / ".sops.yaml"
    config.write_text(config.read_text().replace("purpose: platform-secrets", "purpose: other", 1))
    secrets = repo_copy / "environments" / "secrets"
    (secrets / "perf.enc.yaml").unlink()
    (secrets / "qa.enc.yaml").write_text("x: 1\n")
    found = problems(run_check(repo_copy, sops_for))
    assert ".sops.yaml: stale: differs from what the environment model prescribes; run 'platform secrets sync-rules'" in found
    assert any(p.startswith("environments/secrets/qa.enc.yaml: not the secrets file of a known environment") for p in found)
    assert any(p.startswith("environments/secrets/perf.enc.yaml: missing: environment 'perf' has no secrets file") for p in found)
    # dev's file is now judged against the (edited) committed rule: its context differs from it.
    assert any(
        p.startswith("environments/secrets/dev.enc.yaml: encrypted to a KMS key that .sops.yaml does not prescribe")
        for p in found
    )


def test_mac_removed_and_comment_added_in_clear(repo_copy: Path, sops_for: Callable[..., Sops]) -> None:
    path = repo_copy / "environments" / "secrets" / "dev.enc.yaml"
    lines = [line for line in path.read_text().splitlines(keepends=True) if not line.strip().startswith("mac:")]
    path.write_text("".join(lines).replace("db:\n", "db:\n    # the password is in the wiki\n", 1))
    found = problems(run_check(repo_copy, sops_for))
    assert "environments/secrets/dev.enc.yaml: no MAC: sops cannot verify the file was not altered" in found
    assert "environments/secrets/dev.enc.yaml:3: comment in clear (sops encrypts comments; this one was added by hand)" in found


@pytest.mark.parametrize(
    ("value", "searched"),
    [("short", set()), ("exactly8", {"exactly8"}), ("line one here\nline two here\n", {"line one here", "line two here"})],
)
def test_what_the_leak_scan_searches_for(value: str, searched: set[str]) -> None:
    assert needles([value, 12345678, True, None]) == searched
