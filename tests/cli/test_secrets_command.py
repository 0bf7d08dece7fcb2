"""`platform secrets ...` as a user runs it: values only where asked for, one clear message per mistake."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from platformkit.cli.secrets_cmd import secrets
from platformkit.errors import PlatformError
from platformkit.secrets import Sops
from platformkit.secrets.emulator import KmsEmulator

REPO = Path(__file__).resolve().parents[2]
AGE_DIR = REPO / "tests" / "fixtures" / "age"
SHARED = REPO.parent / "shared" / "fixtures" / "sops"
ENVS = ("dev", "perf", "prod", "staging")
CANARY = "cli-canary-Wm4r-not-a-real-secret"


@dataclass
class Outcome:
    """What a user sees: the exit code, standard output, standard error (incl. the error ``main()`` prints)."""

    code: int
    stdout: str
    stderr: str

    @property
    def everything(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in (
        "SOPS_AGE_KEY",
        "SOPS_AGE_KEY_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A committed git copy of what secrets need, used as the repository (PLATFORM_ROOT)."""
    copy = tmp_path / "repo"
    for relative in ("Pulumi.yaml", ".sops.yaml", "environments", "tests/fixtures/age"):
        source, target = REPO / relative, copy / relative
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=copy, check=True)
    return copy


@pytest.fixture(scope="module")
def kms() -> Iterator[KmsEmulator]:
    """One moto server for this module, on 127.0.0.1, stopped by PID."""
    emulator = KmsEmulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


class Plaintexts(tuple[str, ...]):
    """Decrypted values whose repr never shows them (pytest prints fixture values in failure reports)."""

    def __repr__(self) -> str:
        return f"<{len(self)} plaintext values>"


@pytest.fixture(scope="module")
def plaintexts() -> Plaintexts:
    """Every encrypted string value (8+ characters, what the leak scan searches) of the sample files, decrypted in memory."""
    values: list[str] = []
    for name in ENVS:
        document = Sops.locate(age_identities=(AGE_DIR / f"{name}.agekey",)).decrypt(
            REPO / "environments" / "secrets" / f"{name}.enc.yaml"
        )
        values += [v for v in document.secret_values() if isinstance(v, str) and len(v) >= 8]
    assert len(values) >= 4 * 5
    return Plaintexts(values)


def assert_clean(text: str, plaintexts: Plaintexts, *extra: str) -> None:
    leaked = [i for i, v in enumerate([*plaintexts, *extra]) if v in text]
    assert not leaked, f"plaintext value(s) in output (indexes {leaked}; values not shown)"


def identities(*names: str) -> list[str]:
    return [arg for name in (names or ENVS) for arg in ("--age-identity", str(AGE_DIR / f"{name}.agekey"))]


def run(root: Path, *args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> Outcome:
    """Invoke ``platform secrets`` in-process; a PlatformError becomes what main() prints and exits with."""
    result = CliRunner().invoke(secrets, list(args), input=input, env={"PLATFORM_ROOT": str(root), **(env or {})})
    stderr = result.stderr
    code = result.exit_code
    if isinstance(result.exception, PlatformError):
        stderr += f"error: {result.exception}\n"
        code = result.exception.exit_code
    elif result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(code, result.stdout, stderr)


# --- show / get --------------------------------------------------------------------------------


def test_show_masks_every_encrypted_value_by_default(root: Path, plaintexts: Plaintexts) -> None:
    done = run(root, "show", "dev", *identities("dev"))
    assert done.code == 0, done.stderr
    assert "admin_email: '[secret]'" in done.stdout and "notice_unencrypted:" in done.stdout
    assert "--reveal prints them" in done.stderr
    assert_clean(done.everything, plaintexts)


def test_show_reveal_prints_the_values_to_stdout_only(root: Path) -> None:
    expected = Sops.locate(age_identities=(AGE_DIR / "dev.agekey",)).decrypt(root / "environments" / "secrets" / "dev.enc.yaml")
    done = run(root, "show", "dev", "--reveal", "--output", "json", *identities("dev"))
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout) == expected.data
    assert expected.get("db.app_password", str) not in done.stderr


def test_show_file_reads_any_sops_file(root: Path) -> None:
    done = run(root, "show", "--file", str(SHARED / "gen-sops3.12.2_age_types.enc.json"), "--reveal", "--output", "json",
               "--age-identity", str(SHARED / "getsops-sops_age_keys.txt"))  # fmt: skip
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["s"] == "a<b>&c"
    refused = run(root, "show", "--file", str(SHARED / "getsops-sops_functional-tests_no_mac.yaml"))
    assert refused.code == 2 and "no MAC" in refused.stderr


@pytest.mark.parametrize("args", [(), ("dev", "--file", "x.enc.yaml")])
def test_show_needs_exactly_one_of_environment_or_file(root: Path, args: tuple[str, ...]) -> None:
    done = run(root, "show", *args)
    assert done.code == 2 and "name an environment (dev, perf, prod, staging) or give --file PATH" in done.stderr


def test_get_prints_exactly_the_value_asked_for(root: Path) -> None:
    expected = Sops.locate(age_identities=(AGE_DIR / "prod.agekey",)).decrypt(root / "environments" / "secrets" / "prod.enc.yaml")
    done = run(root, "get", "prod", "db.admin_email", *identities("prod"))
    assert done.code == 0 and done.stdout == expected.get("db.admin_email", str) + "\n"
    as_json = run(root, "get", "prod", "alerting", "--output", "json", *identities("prod"))
    assert json.loads(as_json.stdout) == expected.get("alerting", dict)


def test_get_unknown_and_malformed_key_paths(root: Path, plaintexts: Plaintexts) -> None:
    unknown = run(root, "get", "dev", "db.nope", *identities("dev"))
    assert unknown.code == 2
    assert "no key 'db.nope'" in unknown.stderr and "db.admin_email" in unknown.stderr
    malformed = run(root, "get", "dev", "db..admin_email", *identities("dev"))
    assert malformed.code == 2 and "malformed key path 'db..admin_email': empty segment" in malformed.stderr
    brackets = run(root, "get", "dev", '["db"]["admin_email"]', *identities("dev"))
    assert brackets.code == 2 and "malformed key path" in brackets.stderr
    assert_clean(unknown.everything + malformed.everything + brackets.everything, plaintexts)


# --- set / edit / rotate / updatekeys ----------------------------------------------------------


def test_set_from_stdin_then_get(root: Path, plaintexts: Plaintexts) -> None:
    done = run(root, "set", "dev", "grafana.admin_password", *identities("dev"), input=CANARY + "\n")
    assert done.code == 0, done.stderr
    assert done.stdout == "environments/secrets/dev.enc.yaml: set grafana.admin_password\n"
    assert CANARY not in (root / "environments" / "secrets" / "dev.enc.yaml").read_text()
    got = run(root, "get", "dev", "grafana.admin_password", *identities("dev"))
    assert got.stdout == CANARY + "\n"
    assert_clean(done.everything, plaintexts, CANARY)


def test_set_json_value_and_bad_json(root: Path) -> None:
    done = run(root, "set", "dev", "smtp.port", "587", "--json", *identities("dev"))
    assert done.code == 0, done.stderr
    assert run(root, "get", "dev", "smtp.port", "--output", "json", *identities("dev")).stdout.strip() in {"587", "587.0"}
    bad = run(root, "set", "dev", "smtp.password", "--json", *identities("dev"), input=CANARY)
    assert bad.code == 2 and "--json: the value is not valid JSON" in bad.stderr and CANARY not in bad.everything


def test_set_refuses_to_replace_a_value_by_a_section(root: Path, plaintexts: Plaintexts) -> None:
    done = run(root, "set", "dev", "db.admin_email.deeper", "x", *identities("dev"))
    assert done.code == 2 and "'db.admin_email' holds a value, not a section" in done.stderr
    assert_clean(done.everything, plaintexts)


def test_set_creates_a_missing_file_encrypted_as_the_rules_prescribe(root: Path, kms: KmsEmulator) -> None:
    target = root / "environments" / "secrets" / "staging.enc.yaml"
    target.unlink()
    kms.create_key("222222222222", "eu-west-1", "alias/acme-staging-secrets")
    done = run(root, "set", "staging", "db.admin_email", input=CANARY, env=kms.sops_env("222222222222", "eu-west-1"))
    assert done.code == 0, done.stderr
    assert "created with db.admin_email" in done.stdout
    check = run(root, "check", *identities())
    assert check.code == 0, check.stdout
    assert run(root, "get", "staging", "db.admin_email", *identities("staging")).stdout == CANARY + "\n"


def test_edit_refuses_without_a_terminal(root: Path) -> None:
    done = run(root, "edit", "dev", *identities("dev"))
    assert done.code == 2
    assert "edit needs an interactive terminal" in done.stderr and "platform secrets set" in done.stderr


def test_rotate_reencrypts_with_a_new_data_key(root: Path, kms: KmsEmulator, plaintexts: Plaintexts) -> None:
    kms.create_key("111111111111", "eu-west-1", "alias/acme-dev-secrets")
    path = root / "environments" / "secrets" / "dev.enc.yaml"
    before = path.read_text()
    done = run(root, "rotate", "dev", *identities("dev"), env=kms.sops_env("111111111111", "eu-west-1"))
    assert done.code == 0, done.stderr
    assert path.read_text() != before
    assert run(root, "check", *identities()).code == 0
    assert_clean(done.everything, plaintexts)


def test_rotate_without_kms_access_fails_clearly_and_leaves_the_file(root: Path, plaintexts: Plaintexts) -> None:
    path = root / "environments" / "secrets" / "dev.enc.yaml"
    before = path.read_text()
    done = run(root, "rotate", "dev", *identities("dev"))
    assert done.code == 2
    assert "could not encrypt the data key to every recipient" in done.stderr
    assert path.read_text() == before
    assert_clean(done.everything, plaintexts)


def test_updatekeys_when_current_and_when_rules_are_stale(root: Path, plaintexts: Plaintexts) -> None:
    done = run(root, "updatekeys", *identities())
    assert done.code == 0, done.stderr
    assert done.stdout.count("already up to date") == 4
    env_file = root / "environments" / "Pulumi.dev.yaml"
    env_file.write_text(env_file.read_text().replace("age1hxqf8c6u3j93fnyecxv45xjqcgap2e5g3zp62e6se5md739sac7qgev055",
                                                     "age1zttyfrdgzvwlhvxalnt03088uv3exj7ca0qedlxjjpa43mfs5ymqz8vetq"))  # fmt: skip
    stale = run(root, "updatekeys", "dev", *identities())
    assert stale.code == 2 and ".sops.yaml is stale" in stale.stderr and "sync-rules" in stale.stderr
    assert_clean(done.everything + stale.everything, plaintexts)


# --- check / sync-rules --------------------------------------------------------------------------


def test_check_passes_then_fails_with_a_report(root: Path, plaintexts: Plaintexts) -> None:
    ok = run(root, "check", *identities())
    assert ok.code == 0 and ok.stdout.strip().endswith("ok: no problems found")
    path = root / "environments" / "secrets" / "prod.enc.yaml"
    path.write_text(path.read_text().replace("db:\n", f"db:\n    typed_in: {CANARY}\n", 1))
    failed = run(root, "check", *identities())
    assert failed.code == 1
    assert "FAIL environments/secrets/prod.enc.yaml: value of 'db.typed_in' is not encrypted" in failed.stdout
    assert failed.stdout.strip().endswith("problem(s) found")
    assert_clean(failed.everything, plaintexts, CANARY)


def test_sync_rules_check_write_and_idempotence(root: Path) -> None:
    assert run(root, "sync-rules", "--check").code == 0
    env_file = root / "environments" / "Pulumi.perf.yaml"
    env_file.write_text(env_file.read_text().replace('id: "444444444444"', 'id: "444444444445"'))
    stale = run(root, "sync-rules", "--check")
    assert stale.code == 1 and "stale" in stale.stdout
    written = run(root, "sync-rules")
    assert written.code == 0 and "written" in written.stdout
    assert "arn:aws:kms:eu-west-1:444444444445:alias/acme-perf-secrets" in (root / ".sops.yaml").read_text()
    assert run(root, "sync-rules").stdout == ".sops.yaml: already up to date\n"


# --- bad input for every subcommand -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show", "qa"),
        ("get", "qa", "db.admin_email"),
        ("set", "qa", "db.admin_email", "x"),
        ("edit", "qa"),
        ("rotate", "qa"),
        ("updatekeys", "qa"),
    ],
)
def test_unknown_environment_is_named_with_the_known_ones(root: Path, args: tuple[str, ...]) -> None:
    done = run(root, *args)
    assert done.code == 2
    assert "unknown environment 'qa'; known environments: dev, perf, prod, staging" in done.stderr


@pytest.mark.parametrize(
    "args", [("get", "dev", "db.admin email"), ("set", "dev", "db/admin", "x"), ("get", "dev", ""), ("set", "dev", ".x", "y")]
)
def test_malformed_key_paths_for_every_command_taking_one(root: Path, args: tuple[str, ...]) -> None:
    done = run(root, *args)
    assert done.code == 2 and ("malformed key path" in done.stderr or "empty key path" in done.stderr)


def test_missing_binary_names_the_install_hint(root: Path, tmp_path: Path) -> None:
    done = run(root, "show", "dev", env={"PATH": str(tmp_path)})
    assert done.code == 2
    assert "sops binary was not found on PATH" in done.stderr and "run scripts/setup, or install sops 3.12.2" in done.stderr


def test_errors_print_one_message_and_no_traceback_through_main(root: Path) -> None:
    """Through the real entry point (the lead registers the group in cli/main.py; registered here for the test)."""
    program = (
        "from platformkit.cli.main import cli, main\n"
        "from platformkit.cli.secrets_cmd import secrets\n"
        "cli.add_command(secrets)\n"
        "main()\n"
    )
    env = {**os.environ, "PLATFORM_ROOT": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-c", program, "secrets", "rotate", "qa"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    check = subprocess.run([sys.executable, "-c", program, "secrets", "check", *identities()], capture_output=True, text=True, env=env,
                           check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_group_lists_its_commands() -> None:
    assert isinstance(secrets, click.Group)
    assert set(secrets.commands) == {"show", "get", "set", "edit", "rotate", "updatekeys", "check", "sync-rules"}
