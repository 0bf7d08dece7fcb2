"""The parity report: every difference found, whether the allow-list allows it, and why.

``ParityReport.ok`` is false as soon as one difference is not allowed. ``render_text`` gives a
readable diff grouped by environment pair, then resource; ``to_json`` the same as data.
Values are shown after normalisation (``<env>``, ``<account>``, ``<region>``); secrets were
already masked as ``[secret]`` when the graphs were recorded and stay so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..graph.model import SECRET, UNKNOWN

FORMAT = "platformkit.parity-report/v1"

Mode = Literal["baseline", "shape"]
"""``baseline``: compared with the baseline under the global lists; ``shape``: a stricter pair."""

Change = Literal["only-in-environment", "only-in-reference", "count", "property"]
"""What differs: a resource kind present on one side only, the number of a kind, or one property."""


@dataclass(frozen=True)
class Difference:
    """One difference between an environment and its reference environment."""

    environment: str
    reference: str
    mode: Mode
    change: Change
    resource: str
    """The identity (URN without stack), or the kind (``...::network-private-*``) for count/presence changes."""
    type: str
    path: str | None
    """Property path (``a.b[0].c``) for property changes; None otherwise."""
    reference_value: Any
    environment_value: Any
    in_reference: bool
    """Whether the path (or resource kind) exists in the reference environment."""
    in_environment: bool
    allowed: bool
    reason: str | None = None
    """The reason of the allow-list entry that allows it."""
    entry: str | None = None
    """The allow-list key that allows it, e.g. ``properties[3]`` or ``shapes[0].properties[1]``."""

    def to_json(self) -> dict[str, Any]:
        """JSON form (camelCase keys)."""
        return {
            "environment": self.environment,
            "reference": self.reference,
            "mode": self.mode,
            "change": self.change,
            "resource": self.resource,
            "type": self.type,
            "path": self.path,
            "referenceValue": self.reference_value,
            "environmentValue": self.environment_value,
            "inReference": self.in_reference,
            "inEnvironment": self.in_environment,
            "allowed": self.allowed,
            "reason": self.reason,
            "entry": self.entry,
        }


@dataclass(frozen=True)
class UnusedEntry:
    """An allow-list entry (or one path of it) that allowed no difference: stale, or too broad a guess."""

    key: str
    """Allow-list key, e.g. ``counts[2]`` or ``properties[4].paths[1]``."""
    type: str
    path: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"key": self.key, "type": self.type, "path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class ComparedPair:
    """One comparison that was made."""

    environment: str
    reference: str
    mode: Mode
    entry: str | None = None
    """For shape pairs, the ``shapes[i]`` entry used (None when only the environment's shapeOf asked for it)."""

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"environment": self.environment, "reference": self.reference, "mode": self.mode, "entry": self.entry}


@dataclass(frozen=True)
class ParityReport:
    """Result of ``compare``."""

    baseline: str
    allowlist_source: str
    pairs: list[ComparedPair]
    differences: list[Difference]
    unused_entries: list[UnusedEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Comparisons skipped because a graph was not given, and similar remarks."""

    @property
    def violations(self) -> list[Difference]:
        """Differences the allow-list does not allow."""
        return [d for d in self.differences if not d.allowed]

    @property
    def allowed(self) -> list[Difference]:
        """Differences the allow-list allows."""
        return [d for d in self.differences if d.allowed]

    @property
    def ok(self) -> bool:
        """True when there is no violation (unused entries are warnings only)."""
        return not self.violations

    def to_json(self) -> dict[str, Any]:
        """The JSON document (``format`` first)."""
        return {
            "format": FORMAT,
            "ok": self.ok,
            "baseline": self.baseline,
            "allowlist": self.allowlist_source,
            "pairs": [p.to_json() for p in self.pairs],
            "violations": len(self.violations),
            "allowed": len(self.allowed),
            "differences": [d.to_json() for d in self.differences],
            "unusedEntries": [u.to_json() for u in self.unused_entries],
            "notes": list(self.notes),
        }


# --- text --------------------------------------------------------------------------------

MAX_VALUE = 60


def short(value: Any, limit: int = MAX_VALUE) -> str:
    """A value on one line, cut to ``limit`` characters; ``[secret]``/``[unknown]`` shown bare."""
    if value in (SECRET, UNKNOWN):
        return str(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _display(resource: str) -> str:
    """``<qualified type>::<name>``: the identity without its project."""
    _, sep, rest = resource.partition("::")
    return rest if sep else resource


def _describe(d: Difference) -> str:
    ref, env = d.reference, d.environment
    if d.change == "only-in-environment":
        return f"resource only in {env} ({d.environment_value} in {env}, none in {ref})"
    if d.change == "only-in-reference":
        return f"resource missing in {env} ({d.reference_value} in {ref}, none in {env})"
    if d.change == "count":
        return f"count differs: {ref}={d.reference_value} {env}={d.environment_value}"
    left = short(d.reference_value) if d.in_reference else "(absent)"
    right = short(d.environment_value) if d.in_environment else "(absent)"
    return f"{d.path}: {ref}={left} {env}={right}"


def render_text(report: ParityReport, *, show_allowed: bool = False) -> str:
    """A readable diff: per environment pair, per resource, each difference on one line.

    Violations are marked ``x``; allowed differences are counted, and listed (marked ``~``,
    with the allow-list key) when ``show_allowed`` is true.
    """
    lines: list[str] = []
    status = "OK" if report.ok else "FAILED"
    lines.append(
        f"parity {status}: {len(report.violations)} violation(s), {len(report.allowed)} allowed difference(s), "
        f"{len(report.pairs)} comparison(s); baseline {report.baseline}; allow-list {report.allowlist_source}"
    )
    for pair in report.pairs:
        diffs = [
            d for d in report.differences if (d.environment, d.reference, d.mode) == (pair.environment, pair.reference, pair.mode)
        ]
        bad = [d for d in diffs if not d.allowed]
        shown = diffs if show_allowed else bad
        label = " (shape)" if pair.mode == "shape" else ""
        lines.append("")
        lines.append(f"{pair.environment} vs {pair.reference}{label}: {len(bad)} violation(s), {len(diffs) - len(bad)} allowed")
        by_resource: dict[str, list[Difference]] = {}
        for d in shown:
            by_resource.setdefault(d.resource, []).append(d)
        for resource in sorted(by_resource):
            lines.append(f"  {_display(resource)}")
            for d in by_resource[resource]:
                mark = "~" if d.allowed else "x"
                suffix = f"   [allowed by {d.entry}: {d.reason}]" if d.allowed else ""
                lines.append(f"    {mark} {_describe(d)}{suffix}")
    if report.unused_entries:
        lines.append("")
        lines.append(f"warning: {len(report.unused_entries)} unused allow-list entr(ies) (allowed no difference; remove or fix):")
        for u in report.unused_entries:
            what = f"{u.type} {u.path}" if u.path else u.type
            lines.append(f"  {report.allowlist_source}: {u.key}: {what}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"
