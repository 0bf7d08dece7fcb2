"""Fixtures for the SOPS tests: an isolated environment for sops, the real binary, one KMS emulator per session,
the repository's test-only age identities, and throw-away git copies of the repository."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from platformkit.secrets import Sops
from platformkit.secrets.emulator import KmsEmulator

REPO = Path(__file__).resolve().parents[3]
AGE_DIR = REPO / "tests" / "fixtures" / "age"
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures" / "sops"
ENVIRONMENTS = ("dev", "perf", "prod", "staging")


@pytest.fixture(autouse=True)
def isolated_sops_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """sops sees no identity, credential or config of the person running the tests (age, SSH, AWS, GPG)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "SOPS_AGE_KEY",
        "SOPS_AGE_KEY_FILE",
        "SOPS_AGE_KEY_CMD",
        "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
        "SOPS_KMS_ARN",
        "SOPS_CONFIG",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "EDITOR",
        "SOPS_EDITOR",
        "PLATFORM_ROOT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The sops golden files (public test keys), shared with the project at ../shared."""
    assert SHARED_FIXTURES.is_dir(), f"missing {SHARED_FIXTURES}: the project expects ../shared beside the repository"
    return SHARED_FIXTURES


def identity(env_name: str) -> Path:
    """The test-only age identity of an environment."""
    return AGE_DIR / f"{env_name}.agekey"


@pytest.fixture
def sops_for() -> Callable[..., Sops]:
    """``sops_for("dev", config=..., env=...)``: the real binary with the given environments' test identities."""

    def make(*env_names: str, config: Path | None = None, env: dict[str, str | None] | None = None) -> Sops:
        return Sops.locate(config=config, env=env or {}, age_identities=tuple(identity(n) for n in env_names))

    return make


@pytest.fixture(scope="session")
def kms() -> Iterator[KmsEmulator]:
    """One moto server per test session (per xdist worker) on 127.0.0.1, stopped by PID at the end."""
    emulator = KmsEmulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


class Plaintexts(tuple[str, ...]):
    """Decrypted values whose repr never shows them (pytest prints fixture values in failure reports)."""

    def __repr__(self) -> str:
        return f"<{len(self)} plaintext values>"


@pytest.fixture(scope="session")
def sample_secret_values() -> Plaintexts:
    """Every encrypted string value (8+ characters, what the leak scan searches) of the committed samples."""
    values: list[str] = []
    for name in ENVIRONMENTS:
        runner = Sops.locate(age_identities=(identity(name),), env={"AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"})
        document = runner.decrypt(REPO / "environments" / "secrets" / f"{name}.enc.yaml")
        values += [v for v in document.secret_values() if isinstance(v, str) and len(v) >= 8]
    assert len(values) >= 4 * 5
    return Plaintexts(values)


@pytest.fixture
def assert_no_secrets(sample_secret_values: Plaintexts) -> Callable[..., None]:
    """``assert_no_secrets(text, extra=[...])``: no sample (or extra) plaintext value occurs in ``text``."""

    def check(text: str, extra: tuple[str, ...] | list[str] = ()) -> None:
        leaked = [i for i, v in enumerate([*sample_secret_values, *extra]) if v in text]
        assert not leaked, f"{len(leaked)} plaintext value(s) leaked into output (indexes {leaked}; values not shown)"

    return check


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A git repository holding the parts of this one that secrets need (committed), to break at will."""
    root = tmp_path / "repo"
    for relative in ("Pulumi.yaml", ".sops.yaml", "environments", "tests/fixtures/age"):
        source = REPO / relative
        target = root / relative
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "copy")
    return root


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` with a fixed identity."""
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def git_in() -> Callable[..., None]:
    """``git_in(root, "add", "-A")``."""
    return git
