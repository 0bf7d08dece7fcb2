"""Shared fixtures: the repository's environments, a naming context, and in-process recording under mocks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from platformkit.context import Context
from platformkit.environment import EnvironmentConfig, load_all
from platformkit.graph.model import ResourceGraph
from platformkit.graph.recorder import record_program
from platformkit.graph.runner import evaluate_environments

REPO_ROOT = Path(__file__).resolve().parents[1]

Recorder = Callable[[Callable[[], object]], ResourceGraph]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (holds Pulumi.yaml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def environments() -> dict[str, EnvironmentConfig]:
    """Every environment of the repository, validated."""
    return load_all(REPO_ROOT)


@pytest.fixture
def ctx() -> Context:
    """A naming context for component tests."""
    return Context(
        org="acme",
        environment="test",
        account_id="123456789012",
        region="eu-west-1",
        owner="platform-team",
        cost_centre="CC-0000",
        repository="github.com/acme/platform",
    )


_counter = iter(range(1_000_000))


@pytest.fixture
def record() -> Recorder:
    """Run a program (a function creating resources) under mocks in this process; return its graph.

    Each call records under a fresh stack name, so several recordings in one test session do not mix.
    """

    def run(program: Callable[[], object]) -> ResourceGraph:
        return record_program(
            program,
            project="platform",
            stack=f"test{next(_counter)}",
            account_id="123456789012",
            region="eu-west-1",
            project_root=REPO_ROOT,
        )

    return run


TEST_AGE_IDENTITIES = sorted((REPO_ROOT / "tests" / "fixtures" / "age").glob("*.agekey"))
"""The TEST-ONLY break-glass identities of the sample secrets files, one per environment."""


@contextlib.contextmanager
def sample_secrets_readable() -> Iterator[None]:
    """Within the block, sops (and so the stack program) can decrypt every environment's sample secrets."""
    keys = "\n".join(
        line for path in TEST_AGE_IDENTITIES for line in path.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")
    )
    saved = os.environ.get("SOPS_AGE_KEY")
    os.environ["SOPS_AGE_KEY"] = keys
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOPS_AGE_KEY", None)
        else:
            os.environ["SOPS_AGE_KEY"] = saved


@pytest.fixture
def secrets_readable() -> Iterator[None]:
    """Within the test, sops can decrypt every environment's sample secrets (TEST-ONLY identities)."""
    with sample_secrets_readable():
        yield


@pytest.fixture(scope="session")
def env_graphs(environments: dict[str, EnvironmentConfig]) -> dict[str, ResourceGraph]:
    """Every environment evaluated by the real program under mocks, one subprocess each (as ``platform plan`` does),
    with the sample secrets really decrypted (so leak tests are meaningful)."""
    with sample_secrets_readable():
        return evaluate_environments(sorted(environments), REPO_ROOT)
