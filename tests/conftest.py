"""Shared fixtures: the repository's environments, a naming context, and in-process recording under mocks."""

from __future__ import annotations

from collections.abc import Callable
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


@pytest.fixture(scope="session")
def env_graphs(environments: dict[str, EnvironmentConfig]) -> dict[str, ResourceGraph]:
    """Every environment evaluated by the real program under mocks, one subprocess each (as ``platform plan`` does)."""
    return evaluate_environments(sorted(environments), REPO_ROOT)
