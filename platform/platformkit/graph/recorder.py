"""Run a Pulumi program in-process under mocks and record its resource graph.

Pulumi's ``MockResourceArgs`` lacks parents and dependencies, so a ``MockMonitor`` subclass
reads the whole register request instead. Pulumi's runtime state is global: record one
stack per process (``graph.runner`` starts one subprocess per environment).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from ..errors import PlatformError
from . import mock_outputs
from .model import GraphResource, ResourceGraph
from .normalise import normalise_urn, normalise_value, source_position

KNOWN_INVOKES: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda account, region: {
        "accountId": account,
        "arn": f"arn:aws:iam::{account}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
    },
    "aws:index/getRegion:getRegion": lambda account, region: {"name": region, "region": region},
    "aws:index/getPartition:getPartition": lambda account, region: {"partition": "aws", "dnsSuffix": "amazonaws.com"},
}


class PlanMocks(mocks.Mocks):
    """Mock cloud: echoes inputs, invents deterministic outputs, answers only known invokes."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        seed = f"{args.typ}::{args.name}"
        return mock_outputs.outputs_for(args.typ, args.name, dict(args.inputs), seed, self.account_id, self.region)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = KNOWN_INVOKES.get(args.token)
        if answer is None:
            raise PlatformError(
                f"the offline plan has no mock for the data source '{args.token}'",
                hint="take the value from the environment model, or add a mock in platformkit/graph/recorder.py",
            )
        return answer(self.account_id, self.region), None


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that keeps every register request as a graph record."""

    def __init__(self, mock: mocks.Mocks, project_root: Path) -> None:
        super().__init__(mock)
        self.project_root = project_root
        self.records: list[GraphResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]  # Pulumi's mock monitor is untyped
        raw = json_format.MessageToDict(request.object) if request.HasField("object") else {}
        self.records.append(
            GraphResource(
                urn=normalise_urn(response.urn),
                type=request.type,
                name=request.name,
                parent=normalise_urn(request.parent) if request.parent else None,
                custom=bool(request.custom),
                inputs=normalise_value(raw),
                dependencies=[normalise_urn(u) for u in request.dependencies],
                property_dependencies={
                    prop: [normalise_urn(u) for u in deps.urns] for prop, deps in request.propertyDependencies.items()
                },
                provider=provider_urn(request.provider),
                source_position=self._position(request),
            )
        )
        return response

    def _position(self, request: Any) -> str | None:
        """The first frame in the project's own code (not the SDK, not a virtualenv) that created the resource."""
        if request.type == "pulumi:pulumi:Stack":
            return None
        frames = [f.pc for f in request.stackTrace.frames] if request.HasField("stackTrace") else []
        if request.HasField("sourcePosition"):
            frames.insert(0, request.sourcePosition)
        for pc in frames:
            position = source_position(pc.uri, pc.line, self.project_root)
            if position and not any(part in position for part in ("/.venv/", "/site-packages/")):
                return position
        return None


def provider_urn(reference: str) -> str | None:
    """The URN part of a provider reference ``<urn>::<id>``; None when there is none."""
    if not reference:
        return None
    return normalise_urn(reference.rsplit("::", 1)[0])


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def record_program(
    program: Callable[[], object], *, project: str, stack: str, account_id: str, region: str, project_root: Path
) -> ResourceGraph:
    """Run ``program`` under mocks as stack ``stack`` and return what it registered."""
    mock = PlanMocks(account_id, region)
    monitor = RecordingMonitor(mock, project_root)
    logger = logging.getLogger(f"platformkit.plan.{stack}")
    logger.propagate = False
    collector = _WarningCollector()
    logger.addHandler(collector)
    mocks.set_mocks(mock, project=project, stack=stack, preview=False, logger=logger, monitor=monitor)

    def run() -> None:
        program()

    _sync_await(run_pulumi_func(run))
    return ResourceGraph(
        project=project, stack=stack, source="mocks", resources=stable_order(monitor.records), warnings=collector.messages
    )


def stable_order(records: list[GraphResource]) -> list[GraphResource]:
    """Records sorted by URN (the stack first), with sorted dependency lists.

    Registration order depends on asyncio scheduling (and so on PYTHONHASHSEED); a plan must be
    byte-for-byte repeatable so that graphs can be diffed and committed as fixtures.
    """
    ordered = sorted(records, key=lambda r: (r.type != "pulumi:pulumi:Stack", r.urn))
    return [
        replace(
            r,
            dependencies=sorted(r.dependencies),
            property_dependencies={k: sorted(v) for k, v in sorted(r.property_dependencies.items())},
        )
        for r in ordered
    ]
