"""The gate's verdict: every check result mapped back to the program, and how it is shown.

An :class:`Outcome` is one check on one resource in one environment, with the resource's
URN, logical name, Pulumi type and the Python line that declared it (from the bridge index's
``project:///<path>#<line>``), the severity the gate assigns (``policies/severities.yaml``),
and its status: ``failed``, ``suppressed`` (with the suppression's reason, owner and expiry),
``passed`` or ``skipped`` (skipped by Checkov itself, e.g. a ``checkov.io/skip`` annotation).

The :class:`Verdict` adds what is wrong with the run rather than with a resource: expired
suppressions and resources of types nobody declared unscannable (both fail the gate),
suppressions that matched nothing (warnings). :func:`render_verdict` prints it for people:
failures grouped by severity, then resource, each with the file and line to change.

Exit codes: 0 pass; 1 unsuppressed failures or expired suppressions; 3 part of the program
was not scanned (an undeclared unscannable type); Checkov failures raise before a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from rich.console import Console
from rich.markup import escape

from .suppressions import StrictModel, load_yaml_model

SEVERITIES_FILE = "policies/severities.yaml"
EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INCOMPLETE = 3

Status = Literal["failed", "suppressed", "passed", "skipped"]


class Severity(StrEnum):
    """How bad a failed check is (worst first)."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        """0 for CRITICAL ... 3 for LOW (sort key)."""
        return list(Severity).index(self)


class SeverityRule(StrictModel):
    """Checks that share a severity, and why."""

    severity: Severity = Field(description="CRITICAL, HIGH, MEDIUM or LOW.")
    reason: str = Field(min_length=1, description="Why these checks are this severe.")
    checks: list[str] = Field(min_length=1, description="Check ids or globs (CKV_SECRET_*).")

    @field_validator("checks")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        for check in v:
            if not re.fullmatch(r"CKV2?_[A-Z0-9*?]+(_[0-9*?]+)?|CKV2?_[A-Z0-9]+_\*", check):
                raise ValueError(f"'{check}' is not a check id or glob such as CKV_AWS_18 or CKV_SECRET_*")
        return v


class SeverityFile(StrictModel):
    """The whole of ``policies/severities.yaml``."""

    default: Severity = Field(description="Severity of a check no rule names and that declares none.")
    rules: list[SeverityRule] = Field(default_factory=list, description="Tried in order; the first match wins.")


@dataclass(frozen=True)
class Severities:
    """Check id -> severity."""

    default: Severity = Severity.MEDIUM
    rules: tuple[tuple[tuple[str, ...], Severity], ...] = ()

    def of(self, check_id: str, declared: str | None = None) -> Severity:
        """The first matching rule's severity, else the check's own (``declared``), else the default."""
        for patterns, severity in self.rules:
            if any(fnmatchcase(check_id, p) for p in patterns):
                return severity
        if declared and declared.upper() in Severity.__members__:
            return Severity(declared.upper())
        return self.default


def load_severities(path: Path, *, shown: str | None = None) -> Severities:
    """Read ``policies/severities.yaml``; without the file every check is MEDIUM."""
    if not path.exists():
        return Severities()
    model, _ = load_yaml_model(path, SeverityFile, shown or str(path), top_key="rules")
    return Severities(model.default, tuple((tuple(r.checks), r.severity) for r in model.rules))


# --- outcomes ----------------------------------------------------------------------------

_POSITION = re.compile(r"^project:///(?P<path>[^#]+)(#(?P<line>\d+))?$")


@dataclass(frozen=True)
class SourceLine:
    """A place in the repository: ``path`` relative to the root, 1-based ``line`` (None: whole file)."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @classmethod
    def from_position(cls, position: str | None) -> SourceLine | None:
        """``project:///platform/x.py#42`` -> ``platform/x.py:42``; None when absent or not of that form."""
        match = _POSITION.match(position or "")
        if match is None:
            return None
        line = match.group("line")
        return cls(match.group("path"), int(line) if line else None)


@dataclass(frozen=True)
class Outcome:
    """One check on one resource in one environment (or the repository)."""

    environment: str
    check_id: str
    check_name: str
    severity: Severity
    status: Status
    framework: str
    resource: str
    """Checkov's resource id (plan address, ``Kind.namespace.name``, or a secret's hash)."""
    scanned_file: str
    """The file Checkov read: a rendered file, or a repository path for the repository scan."""
    name: str
    """The Pulumi logical name, or the repository path (repository scan), or Checkov's id when unmapped."""
    urn: str | None = None
    type: str | None = None
    """The Pulumi type token."""
    source: SourceLine | None = None
    guideline: str | None = None
    reason: str | None = None
    """Why it is suppressed (or why Checkov skipped it)."""
    owner: str | None = None
    expires: date | None = None
    suppressed_by: str | None = None
    """``policies/suppressions.yaml:12``."""
    details: str | None = None
    """What exactly is wrong, when the check says."""

    @property
    def location(self) -> str:
        """Where to look: the declaring Python line, else the scanned file and resource."""
        return str(self.source) if self.source else f"{self.scanned_file} ({self.resource})"

    def to_json(self) -> dict[str, Any]:
        """JSON form (camelCase keys)."""
        return {
            "environment": self.environment,
            "checkId": self.check_id,
            "checkName": self.check_name,
            "severity": self.severity.value,
            "status": self.status,
            "framework": self.framework,
            "resource": self.resource,
            "scannedFile": self.scanned_file,
            "name": self.name,
            "urn": self.urn,
            "type": self.type,
            "source": str(self.source) if self.source else None,
            "guideline": self.guideline,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat() if self.expires else None,
            "suppressedBy": self.suppressed_by,
            "details": self.details,
        }


@dataclass(frozen=True)
class NotScanned:
    """A resource Checkov could not be given."""

    environment: str
    urn: str
    type: str
    reason: str | None
    """The declared reason (``policies/unscannable.yaml``); None: undeclared, the gate fails."""


@dataclass
class Verdict:
    """The result of one gate run."""

    target: str
    """What was scanned: ``dev, prod`` or ``repository``."""
    environments: list[str]
    outcomes: list[Outcome]
    not_scanned: list[NotScanned] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Problems of the run that fail it (expired suppressions)."""
    warnings: list[str] = field(default_factory=list)
    checkov_version: str | None = None
    resources_scanned: dict[str, int] = field(default_factory=dict)
    """Framework -> resources Checkov scanned."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Phase -> seconds (evaluate, bridge, checkov, verdict)."""

    def having(self, status: Status) -> list[Outcome]:
        """Outcomes with one status."""
        return [o for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> list[Outcome]:
        """Unsuppressed failures, worst first."""
        return sorted(self.having("failed"), key=lambda o: (o.severity.rank, o.name, o.environment, o.check_id))

    @property
    def undeclared(self) -> list[NotScanned]:
        """Resources not scanned whose type is not declared unscannable."""
        return [n for n in self.not_scanned if n.reason is None]

    @property
    def exit_code(self) -> int:
        """3 when part of the program was not scanned, 1 on failures or errors, else 0."""
        if self.undeclared:
            return EXIT_INCOMPLETE
        if self.errors or self.having("failed"):
            return EXIT_FAIL
        return EXIT_PASS

    def totals(self) -> dict[str, int]:
        """Count per status."""
        counts = dict.fromkeys(("failed", "suppressed", "passed", "skipped"), 0)
        for o in self.outcomes:
            counts[o.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        """The whole verdict as JSON (``--json``)."""
        return {
            "format": "platformkit.policy-verdict/v1",
            "target": self.target,
            "environments": self.environments,
            "passed": self.exit_code == EXIT_PASS,
            "exitCode": self.exit_code,
            "checkovVersion": self.checkov_version,
            "totals": self.totals(),
            "resourcesScanned": self.resources_scanned,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "errors": self.errors,
            "warnings": self.warnings,
            "notScanned": [
                {"environment": n.environment, "urn": n.urn, "type": n.type, "reason": n.reason} for n in self.not_scanned
            ],
            "outcomes": [o.to_json() for o in self.outcomes],
        }


# --- rendering ---------------------------------------------------------------------------

_STYLE = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}


def render_verdict(verdict: Verdict, out: Console) -> None:
    """Print the verdict: failures by severity and resource, suppressions with reasons, totals."""
    totals = verdict.totals()
    scanned = ", ".join(f"{n} {fw}" for fw, n in sorted(verdict.resources_scanned.items())) or "nothing"
    version = f"Checkov {verdict.checkov_version}" if verdict.checkov_version else "Checkov"
    out.print(f"[bold]policy gate[/bold]: {escape(verdict.target)}  ({version}; scanned {scanned})")

    failed = verdict.failed
    if failed:
        out.print()
        out.print(
            f"[bold red]FAILED[/bold red] {len(failed)} check result(s) on {len({_group_key(o) for o in failed})} resource(s)"
        )
        _render_failures(failed, out)

    suppressed = verdict.having("suppressed")
    if suppressed:
        out.print()
        out.print(f"[bold]suppressed[/bold] {len(suppressed)}")
        for (check, reason, owner, expires, where), items in _group_suppressed(suppressed):
            names = _names_with_envs(items)
            out.print(f"  {check}  {escape(names)}")
            out.print(f"      [dim]{escape(reason)} (owner {escape(owner)}, expires {expires}; {escape(where)})[/dim]")

    _render_not_scanned(verdict, out)

    for error in verdict.errors:
        out.print(f"[bold red]error[/bold red]: {escape(error)}")
    for warning in verdict.warnings:
        out.print(f"[yellow]warning[/yellow]: {escape(warning)}")

    out.print()
    summary = (
        f"failed {totals['failed']}, suppressed {totals['suppressed']}, passed {totals['passed']}, skipped {totals['skipped']}"
    )
    code = verdict.exit_code
    word = {EXIT_PASS: "[bold green]PASS[/bold green]", EXIT_FAIL: "[bold red]FAIL[/bold red]"}.get(
        code, "[bold red]INCOMPLETE[/bold red]"
    )
    out.print(f"{word}  {summary}")


def _render_not_scanned(verdict: Verdict, out: Console) -> None:
    undeclared = verdict.undeclared
    declared = [n for n in verdict.not_scanned if n.reason is not None]
    if undeclared:
        out.print()
        out.print(f"[bold red]NOT SCANNED[/bold red] {len(undeclared)} resource(s) of types the bridge cannot write for Checkov")
        for type_token, group in _by_type(undeclared):
            envs = ", ".join(sorted({n.environment for n in group}))
            logical = sorted({n.urn.rsplit("::", 1)[-1] for n in group})
            shown = ", ".join(logical[:3]) + (f" and {len(logical) - 3} more" if len(logical) > 3 else "")
            out.print(f"  {escape(type_token)} x{len(group)}  [dim]({escape(envs)}: {escape(shown)})[/dim]")
        out.print(
            "  [dim]re-run scripts/gen_aws_terraform_mapping.py (it maps every type the environments use), "
            "or declare the type in policies/unscannable.yaml with a reason[/dim]"
        )
    if declared:
        out.print()
        out.print(f"[bold]not scanned, declared[/bold] {len(declared)}")
        for type_token, group in _by_type(declared):
            out.print(f"  {escape(type_token)} x{len(group)}  [dim]{escape(group[0].reason or '')}[/dim]")


def _by_type(items: Sequence[NotScanned]) -> list[tuple[str, list[NotScanned]]]:
    groups: dict[str, list[NotScanned]] = {}
    for n in items:
        groups.setdefault(n.type, []).append(n)
    return sorted(groups.items())


def _group_key(o: Outcome) -> tuple[str, str]:
    return (o.type or o.framework, o.name)


def _render_failures(failed: Sequence[Outcome], out: Console) -> None:
    for severity in Severity:
        of_severity = [o for o in failed if o.severity == severity]
        if not of_severity:
            continue
        out.print(f" [{_STYLE[severity]}]{severity.value}[/{_STYLE[severity]}]")
        groups: dict[tuple[str, str], list[Outcome]] = {}
        for o in of_severity:
            groups.setdefault(_group_key(o), []).append(o)
        for (kind, name), items in groups.items():
            envs = ", ".join(sorted({o.environment for o in items}))
            locations = sorted({o.location for o in items})
            out.print(f"  [bold]{escape(name)}[/bold]  {escape(kind)}  [dim]({escape(envs)})[/dim]")
            for location in locations:
                out.print(f"    at {escape(location)}")
            all_envs = {o.environment for o in items}
            checks: dict[str, list[Outcome]] = {}
            for o in items:
                checks.setdefault(o.check_id, []).append(o)
            for check_id, results in sorted(checks.items()):
                check_envs = {o.environment for o in results}
                only = f"  [dim]({', '.join(sorted(check_envs))})[/dim]" if check_envs != all_envs else ""
                out.print(f"    {check_id}  {escape(results[0].check_name)}{only}")
                for detail in sorted({o.details for o in results if o.details}):
                    out.print(f"      [dim]{escape(detail)}[/dim]")


def _group_suppressed(items: Sequence[Outcome]) -> list[tuple[tuple[str, str, str, str, str], list[Outcome]]]:
    groups: dict[tuple[str, str, str, str, str], list[Outcome]] = {}
    for o in items:
        key = (o.check_id, o.reason or "", o.owner or "", o.expires.isoformat() if o.expires else "-", o.suppressed_by or "")
        groups.setdefault(key, []).append(o)
    return sorted(groups.items())


def _names_with_envs(items: Sequence[Outcome]) -> str:
    by_name: dict[str, set[str]] = {}
    for o in items:
        by_name.setdefault(o.name, set()).add(o.environment)
    return ", ".join(f"{name} ({', '.join(sorted(envs))})" for name, envs in sorted(by_name.items()))


def today() -> date:
    """Today's date (a function so tests can pass their own)."""
    return date.today()
