"""The policy gate: resource graphs -> bridge -> one Checkov call -> findings on the program -> verdict.

:func:`run_gate` checks environments (graphs from ``graph.runner.evaluate_environments`` or
``graph.preview.read_preview``); :func:`run_repo_scan` checks the repository itself (GitHub
workflows, Ansible content, Dockerfiles, committed secrets). Both fail closed: anything that
makes the scan incomplete raises :class:`~.checkov.CheckovError` (exit 3) or, for resources
of types the bridge cannot write and nobody declared, gives a verdict with exit code 3.

The declared exceptions live in the repository's ``policies/`` folder: ``suppressions.yaml``
(accepted failures), ``unscannable.yaml`` (types the bridge cannot write) and
``severities.yaml``; ``policies/`` is also Checkov's ``--external-checks-dir`` (the
organisation's own checks).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..environment import known_environments
from ..graph.model import ResourceGraph
from .bridge import BridgeIndex, BridgeResult, UnmappedResource
from .checkov import (
    DEFAULT_TIMEOUT_SECONDS,
    CheckovError,
    Finding,
    ScanResult,
    external_checks_view,
    require_scanned,
    run_checkov,
)
from .suppressions import (
    REPOSITORY,
    SUPPRESSIONS_FILE,
    UNSCANNABLE_FILE,
    Entry,
    Suppressions,
    UnscannableTypes,
    load_suppressions,
    load_unscannable,
)
from .verdict import SEVERITIES_FILE, NotScanned, Outcome, Severities, SourceLine, Verdict, load_severities
from .verdict import today as current_date

POLICIES_DIR = "policies"
ENVIRONMENT_FRAMEWORKS = ("terraform_plan", "kubernetes")
REPOSITORY_FRAMEWORKS = ("github_actions", "ansible", "dockerfile", "secrets")
REPOSITORY_SKIP_PATHS = (
    r"(^|/)\.venv(/|$)",
    r"(^|/)(\.git|\.mypy_cache|\.ruff_cache|\.pytest_cache|__pycache__|node_modules)(/|$)",
    # Deliberately insecure inputs: the custom checks' failing fixtures and the bridge's
    # paired Pulumi/HCL corpus (its insecure variants are the point of the corpus).
    r"(^|/)tests/policies/fixtures(/|$)",
    r"(^|/)tests/platform/policy/fixtures(/|$)",
)
"""``--skip-path`` regular expressions of the repository scan."""
WORKFLOWS_DIR = ".github/workflows"
GATE_FILES = tuple(Path(f).relative_to(POLICIES_DIR).as_posix() for f in (SUPPRESSIONS_FILE, UNSCANNABLE_FILE, SEVERITIES_FILE))
"""The gate's own files in ``policies/``: never handed to Checkov as checks."""


Renderer = Callable[[Mapping[str, ResourceGraph], Path], BridgeResult]
"""Writes the Checkov input of the graphs into a folder (``bridge.render`` with the mapping bound)."""


@dataclass(frozen=True)
class GateResult:
    """A verdict and the scan behind it."""

    verdict: Verdict
    scan: ScanResult
    rendered: Path | None = None
    """The folder Checkov scanned, when kept (``keep_dir``)."""


@dataclass(frozen=True)
class Policies:
    """The repository's declared exceptions and severities."""

    suppressions: Suppressions
    unscannable: UnscannableTypes
    severities: Severities
    checks_dir: Path
    known: list[str]

    @classmethod
    def load(cls, root: Path) -> Policies:
        """Read ``policies/*.yaml`` of the repository at ``root`` (each validated; problems are ConfigErrors)."""
        known = known_environments(root)
        return cls(
            suppressions=load_suppressions(root / SUPPRESSIONS_FILE, environments=known, shown=SUPPRESSIONS_FILE),
            unscannable=load_unscannable(root / UNSCANNABLE_FILE, shown=UNSCANNABLE_FILE),
            severities=load_severities(root / SEVERITIES_FILE, shown=SEVERITIES_FILE),
            checks_dir=root / POLICIES_DIR,
            known=known,
        )


def default_renderer() -> Renderer:
    """``bridge.render`` with the generated pulumi-aws -> Terraform mapping."""
    from .bridge import render
    from .mapping import load_mapping

    mapping = load_mapping()
    return lambda graphs, out: render(graphs, out, mapping)


def run_gate(
    graphs: Mapping[str, ResourceGraph],
    root: Path,
    *,
    keep_dir: Path | None = None,
    executable: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    today: date | None = None,
    renderer: Renderer | None = None,
    policies: Policies | None = None,
) -> GateResult:
    """Check ``graphs`` (environment name -> graph) against Checkov's and the organisation's checks.

    Raises :class:`~.checkov.CheckovError` when the scan cannot be trusted, ConfigErrors when
    a ``policies/*.yaml`` file is invalid; otherwise returns the verdict (its ``exit_code``).
    """
    policies = policies or Policies.load(root)
    render = renderer or default_renderer()
    seconds: dict[str, float] = {}
    with _folder(keep_dir) as out, tempfile.TemporaryDirectory(prefix="platform-policy-checks-") as checks_tmp:
        start = time.perf_counter()
        bridged = render(graphs, out)
        seconds["bridge"] = time.perf_counter() - start

        start = time.perf_counter()
        checks = external_checks_view(policies.checks_dir, Path(checks_tmp), exclude=GATE_FILES)
        scan = run_checkov(
            out,
            ENVIRONMENT_FRAMEWORKS,
            external_checks_dir=checks,
            executable=executable,
            timeout=timeout,
            tolerate_check_errors=True,
        )
        require_scanned(scan, bridged.written, _checked_ids(bridged.index))
        seconds["checkov"] = time.perf_counter() - start

        start = time.perf_counter()
        # A check that raised on a resource has no result there: counted as a failure of that check, on that resource.
        raised = [e.as_failure(_framework_of(e.file, bridged.index)) for e in scan.check_errors]
        findings = scan.findings + raised + relation_findings(policies.checks_dir, out, bridged.index)
        seconds["relations"] = time.perf_counter() - start

        start = time.perf_counter()
        stacks = _stack_of_files(bridged.index)
        outcomes = [_environment_outcome(f, bridged.index, stacks, policies.severities) for f in findings]
        not_scanned = [NotScanned(u.stack, u.urn, u.type, policies.unscannable.reason(u.type)) for u in bridged.unmapped]
        verdict = build_verdict(
            target=", ".join(graphs),
            environments=list(graphs),
            outcomes=outcomes,
            not_scanned=not_scanned,
            scan=scan,
            policies=policies,
            today=today or current_date(),
        )
        _warn_stale_unscannable(verdict, policies, bridged.unmapped, graphs)
        seconds["verdict"] = time.perf_counter() - start
    verdict.seconds = seconds
    return GateResult(verdict, scan, keep_dir)


def run_repo_scan(
    root: Path,
    *,
    executable: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    today: date | None = None,
    policies: Policies | None = None,
) -> GateResult:
    """Check the repository: GitHub workflows, Ansible content, Dockerfiles, and secrets in any file.

    Suppressions apply with ``environment: repo`` and a file path glob as ``resource``.
    Fails closed when a workflow or a Dockerfile got no result at all (Checkov did not read it).
    """
    policies = policies or Policies.load(root)
    extra: list[str] = ["--enable-secret-scan-all-files"]
    for pattern in REPOSITORY_SKIP_PATHS:
        extra += ["--skip-path", pattern]
    start = time.perf_counter()
    scan = run_checkov(root, REPOSITORY_FRAMEWORKS, executable=executable, timeout=timeout, extra_args=extra, cwd=root)
    _require_repository_files(scan, root)
    seconds = {"checkov": time.perf_counter() - start}
    start = time.perf_counter()
    outcomes = [_repository_outcome(f, policies.severities) for f in scan.findings]
    verdict = build_verdict(
        target="repository",
        environments=[REPOSITORY],
        outcomes=outcomes,
        not_scanned=[],
        scan=scan,
        policies=policies,
        today=today or current_date(),
    )
    seconds["verdict"] = time.perf_counter() - start
    verdict.seconds = seconds
    return GateResult(verdict, scan, None)


# --- steps -------------------------------------------------------------------------------


@contextmanager
def _folder(keep_dir: Path | None) -> Iterator[Path]:
    if keep_dir is not None:
        keep_dir.mkdir(parents=True, exist_ok=True)
        yield keep_dir
        return
    tmp = Path(tempfile.mkdtemp(prefix="platform-policy-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _stack_of_files(index: BridgeIndex) -> dict[str, str]:
    """Rendered file -> environment, from the bridge index."""
    return {file: next(iter(entries.values())).stack for file, entries in index.files.items() if entries}


def _framework_of(file: str, index: BridgeIndex) -> str:
    entries = index.files.get(Path(file).name)
    if entries:
        return next(iter(entries.values())).framework
    return "terraform_plan" if file.endswith(".json") else "kubernetes"


def _environment_outcome(finding: Finding, index: BridgeIndex, stacks: Mapping[str, str], severities: Severities) -> Outcome:
    entry = index.lookup(finding.file, finding.resource)
    # Unmapped results are never dropped: shown with Checkov's own name, so a bridge gap is visible.
    outcome = Outcome(
        environment=stacks.get(Path(finding.file).name, "?"),
        check_id=finding.check_id,
        check_name=finding.check_name,
        severity=severities.of(finding.check_id, finding.severity),
        status=finding.result,
        framework=finding.framework,
        resource=finding.resource,
        scanned_file=finding.file,
        name=finding.resource,
        guideline=finding.guideline,
        reason=finding.skip_reason,
        details=finding.details,
    )
    if entry is None:
        return outcome
    return replace(
        outcome,
        environment=entry.stack,
        name=entry.name,
        urn=entry.urn,
        type=entry.type,
        source=SourceLine.from_position(entry.source_position),
    )


def _repository_outcome(finding: Finding, severities: Severities) -> Outcome:
    path = finding.file
    line = finding.lines[0] if finding.lines and finding.lines[0] > 0 else None
    return Outcome(
        environment=REPOSITORY,
        check_id=finding.check_id,
        check_name=finding.check_name,
        severity=severities.of(finding.check_id, finding.severity),
        status=finding.result,
        framework=finding.framework,
        resource=finding.resource,
        scanned_file=path,
        name=path,
        source=SourceLine(path, line),
        guideline=finding.guideline,
        reason=finding.skip_reason,
    )


def build_verdict(
    *,
    target: str,
    environments: list[str],
    outcomes: list[Outcome],
    not_scanned: list[NotScanned],
    scan: ScanResult,
    policies: Policies,
    today: date,
) -> Verdict:
    """Apply the suppressions to ``outcomes`` (failed -> suppressed while unexpired) and judge the run.

    Expired suppressions relevant to ``environments`` become errors (the gate fails, naming
    them); unexpired ones that matched nothing become warnings.
    """
    suppressions = policies.suppressions
    used: set[int] = set()
    applied: list[Outcome] = []
    for outcome in outcomes:
        if outcome.status != "failed":
            applied.append(outcome)
            continue
        matches = suppressions.find(outcome.environment, outcome.check_id, outcome.name, outcome.urn)
        used.update(id(e) for e in matches)
        active = next((e for e in matches if e.suppression.expires >= today), None)
        applied.append(_suppressed(outcome, active) if active else outcome)
    errors = [
        f"{e.where}: the suppression of {e.describe()} expired on {e.suppression.expires.isoformat()}; "
        "fix the resource, or renew the entry with a current reason and a new date"
        for e in suppressions.expired(environments, today)
    ]
    warnings = list(scan.warnings)
    warnings += [
        f"{e.where}: the suppression of {e.describe()} matched no failed check; remove it"
        for e in suppressions.unused(environments, policies.known, used)
        if e.suppression.expires >= today
    ]
    return Verdict(
        target=target,
        environments=environments,
        outcomes=applied,
        not_scanned=not_scanned,
        errors=errors,
        warnings=warnings,
        checkov_version=scan.version,
        resources_scanned={fw: r.resource_count for fw, r in scan.reports.items()},
    )


def _suppressed(outcome: Outcome, entry: Entry) -> Outcome:
    s = entry.suppression
    return replace(outcome, status="suppressed", reason=s.reason, owner=s.owner, expires=s.expires, suppressed_by=entry.where)


def _warn_stale_unscannable(
    verdict: Verdict, policies: Policies, unmapped: Iterable[UnmappedResource], graphs: Mapping[str, ResourceGraph]
) -> None:
    if not set(policies.known) <= set(graphs):
        return  # a type may only occur in an environment that was not scanned
    seen = {u.type for u in unmapped}
    for type_token, (_, where) in policies.unscannable.types.items():
        if type_token not in seen:
            verdict.warnings.append(
                f"{where}: {type_token} is declared unscannable but no resource needed it (mapped now, or no longer used); remove it"
            )


def _require_repository_files(scan: ScanResult, root: Path) -> None:
    """Every workflow and Dockerfile must have at least one result: else Checkov did not read it."""
    expected: dict[str, list[str]] = {"github_actions": [], "dockerfile": []}
    workflows = root / WORKFLOWS_DIR
    if workflows.is_dir():
        expected["github_actions"] = sorted(
            p.relative_to(root).as_posix() for p in workflows.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()
        )
    expected["dockerfile"] = _dockerfiles(root)
    missing = []
    for framework, files in expected.items():
        seen = set(scan.resources_seen(framework))
        missing += [f"{path} ({framework})" for path in files if path not in seen]
    if missing:
        raise CheckovError(
            f"Checkov reported nothing for {', '.join(missing)}, so it did not check them",
            hint="a file Checkov cannot parse is skipped silently: check it is valid YAML / a valid Dockerfile",
        )


def _dockerfiles(root: Path) -> list[str]:
    """Dockerfiles of the repository outside the skipped paths (walks without entering them)."""
    skip = [re.compile(p) for p in REPOSITORY_SKIP_PATHS]
    found = []
    for folder, dirs, files in os.walk(root):
        rel_dir = Path(folder).relative_to(root).as_posix()
        dirs[:] = [d for d in dirs if not any(s.search(f"{rel_dir}/{d}".removeprefix("./")) for s in skip)]
        for name in files:
            if name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".Dockerfile"):
                rel = f"{rel_dir}/{name}".removeprefix("./")
                if not any(s.search(rel) for s in skip):
                    found.append(rel)
    return sorted(found)


def _checked_ids(index: BridgeIndex) -> dict[str, list[str]]:
    """File -> the resource ids Checkov runs checks on (all but the Pod templates it only counts)."""
    return {file: [rid for rid, e in entries.items() if e.pod_template_of is None] for file, entries in index.files.items()}


RELATIONS_MODULE = "kubernetes_relations.py"
"""The organisation's check across Kubernetes objects (CKV_PLAT_016), run by the gate (Checkov cannot relate by namespace)."""


def relation_findings(checks_dir: Path, rendered: Path, index: BridgeIndex) -> list[Finding]:
    """Results of ``policies/kubernetes_relations.py`` on each stack's manifests, as Checkov findings.

    The module's ``namespace_guardrails(documents)`` judges one stack's objects together (a
    namespace and its quota, limit range and default-deny policies), so a stack's manifest
    files are read together. Without the module there is nothing to run.
    """
    path = checks_dir / RELATIONS_MODULE
    if not path.is_file():
        return []
    module = _load_module(path)
    files_of_stack: dict[str, list[str]] = {}
    for file, entries in index.files.items():
        first = next(iter(entries.values()), None)
        if first is not None and first.framework == "kubernetes":
            files_of_stack.setdefault(first.stack, []).append(file)
    findings: list[Finding] = []
    for files in files_of_stack.values():
        documents = [doc for f in files for doc in yaml.safe_load_all((rendered / f).read_text(encoding="utf-8")) if doc]
        for result in module.namespace_guardrails(documents):
            file = next((f for f in files if result.resource in index.files[f]), files[0])
            findings.append(
                Finding(
                    check_id=str(result.check_id),
                    check_name=str(result.check_name),
                    framework="kubernetes",
                    file=file,
                    resource=str(result.resource),
                    result="passed" if result.passed else "failed",
                    guideline=str(result.guideline) if result.guideline else None,
                    severity=str(result.severity) if result.severity else None,
                    details=f"lacks {', '.join(result.missing)}" if result.missing else None,
                )
            )
    return findings


def _load_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"platform_policies_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise CheckovError(f"{path}: cannot load the organisation's relation checks")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(spec.name, None)
        raise CheckovError(f"{path}: the organisation's relation checks do not load ({exc.__class__.__name__}: {exc})") from None
    return module
