"""Compare the resource graphs of all environments: everything not declared in the allow-list fails.

Every environment is compared with the baseline under the global ``counts`` and
``properties`` lists. Each ``shapes`` pair (and each environment declaring ``shapeOf``) is
compared again under its own, stricter list only: the global lists never apply there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..environment.model import EnvironmentConfig
from ..errors import ConfigError, ConfigErrors, PlatformError
from ..graph.model import ResourceGraph
from .allowlist import AllowList, CountEntry, PropertyEntry, path_matches, type_matches
from .normalise import Tokens, canonical, identity, kind, leaves
from .report import Change, ComparedPair, Difference, Mode, ParityReport, UnusedEntry

_Hit = tuple[str, CountEntry] | tuple[str, PropertyEntry]
"""The allow-list key and entry that allowed a difference."""


@dataclass(frozen=True)
class _Resource:
    identity: str
    kind: str
    type: str
    leaves: dict[str, tuple[Any, Any]]
    """Normalised path -> (raw value, normalised value)."""


@dataclass(frozen=True)
class _Side:
    resources: dict[str, _Resource]
    kinds: dict[str, list[str]]

    @classmethod
    def build(cls, graph: ResourceGraph, tokens: Tokens) -> _Side:
        resources: dict[str, _Resource] = {}
        kinds: dict[str, list[str]] = {}
        for r in graph.resources:
            ident = identity(r.urn, tokens)
            flat = {tokens.replace(path): (value, tokens.value(value)) for path, value in leaves(r.inputs).items()}
            resources[ident] = _Resource(ident, kind(ident), r.type, flat)
            kinds.setdefault(kind(ident), []).append(ident)
        return cls(resources, kinds)


@dataclass
class _Allowances:
    """The entries one comparison may use, each with its allow-list key, and which of them were used."""

    counts: Sequence[tuple[str, CountEntry]]
    properties: Sequence[tuple[str, PropertyEntry]]
    used: set[str] = field(default_factory=set)

    def count(self, type_token: str, *, absent: bool) -> tuple[str, CountEntry] | None:
        for key, entry in self.counts:
            if type_matches(entry.type, type_token) and (entry.allow_absent or not absent):
                self.used.add(key)
                return key, entry
        return None

    def property(self, type_token: str, path: str) -> tuple[str, PropertyEntry] | None:
        for key, entry in self.properties:
            if not type_matches(entry.type, type_token):
                continue
            hits = [i for i, glob in enumerate(entry.paths) if path_matches(glob, path)]
            if hits:
                self.used.update(f"{key}.paths[{i}]" for i in hits)
                self.used.add(key)
                return key, entry
        return None

    def unused(self) -> list[UnusedEntry]:
        out: list[UnusedEntry] = []
        for key, count in self.counts:
            if key not in self.used:
                out.append(UnusedEntry(key, count.type, None, count.reason))
        for key, prop in self.properties:
            if key not in self.used:
                out.append(UnusedEntry(key, prop.type, None, prop.reason))
                continue
            for i, glob in enumerate(prop.paths):
                if f"{key}.paths[{i}]" not in self.used:
                    out.append(UnusedEntry(f"{key}.paths[{i}]", prop.type, glob, prop.reason))
        return out


def tokens_for(name: str, env: EnvironmentConfig | None) -> Tokens:
    """The placeholder tokens of environment ``name``."""
    if env is None:
        return Tokens(name)
    return Tokens(name, env.account.id, env.account.region)


def compare(graphs: dict[str, ResourceGraph], environments: dict[str, EnvironmentConfig], allowlist: AllowList) -> ParityReport:
    """Compare every environment's graph with the baseline's, and each shape pair under its own list.

    ``graphs`` and ``environments`` are keyed by environment name. Environments without a graph
    are not compared (a note says so); the baseline's graph is required.
    """
    _check_names(graphs, environments, allowlist)
    sides = {name: _Side.build(graph, tokens_for(name, environments.get(name))) for name, graph in graphs.items()}
    baseline = allowlist.baseline
    pairs: list[ComparedPair] = []
    differences: list[Difference] = []
    unused: list[UnusedEntry] = []
    notes: list[str] = []

    global_list = _Allowances(
        counts=[(f"counts[{i}]", e) for i, e in enumerate(allowlist.counts)],
        properties=[(f"properties[{i}]", e) for i, e in enumerate(allowlist.properties)],
    )
    others = sorted(name for name in graphs if name != baseline)
    for name in others:
        pairs.append(ComparedPair(name, baseline, "baseline"))
        differences.extend(_compare_pair(sides[baseline], sides[name], baseline, name, "baseline", global_list))
    if others:
        unused.extend(global_list.unused())
    else:
        notes.append(f"only the baseline '{baseline}' was given: nothing was compared with it")

    shaped: set[str] = set()
    for i, shape in enumerate(allowlist.shapes):
        shaped.add(shape.environment)
        key = f"shapes[{i}]"
        missing = [n for n in (shape.environment, shape.reference) if n not in graphs]
        if missing:
            notes.append(f"{key} ({shape.environment} vs {shape.reference}) not compared: no graph of {', '.join(missing)}")
            continue
        shape_list = _Allowances(
            counts=[(f"{key}.counts[{j}]", e) for j, e in enumerate(shape.counts)],
            properties=[(f"{key}.properties[{j}]", e) for j, e in enumerate(shape.properties)],
        )
        pairs.append(ComparedPair(shape.environment, shape.reference, "shape", key))
        differences.extend(
            _compare_pair(
                sides[shape.reference], sides[shape.environment], shape.reference, shape.environment, "shape", shape_list
            )
        )
        unused.extend(shape_list.unused())

    for name in sorted(environments):
        reference = environments[name].shape_of
        if reference is None or name in shaped:
            continue
        if name not in graphs or reference not in graphs:
            notes.append(f"{name} declares shapeOf: {reference} but was not compared with it (graph not given)")
            continue
        notes.append(
            f"{name} declares shapeOf: {reference} and has no shapes entry in {allowlist.source}: compared with nothing allowed"
        )
        pairs.append(ComparedPair(name, reference, "shape"))
        differences.extend(_compare_pair(sides[reference], sides[name], reference, name, "shape", _Allowances([], [])))

    return ParityReport(
        baseline=baseline,
        allowlist_source=allowlist.source,
        pairs=pairs,
        differences=differences,
        unused_entries=unused,
        notes=notes,
    )


def _check_names(graphs: dict[str, ResourceGraph], environments: dict[str, EnvironmentConfig], allowlist: AllowList) -> None:
    source = allowlist.source
    known = sorted(set(graphs) | set(environments))
    listing = ", ".join(known) or "none"
    errors: list[ConfigError] = []
    if allowlist.baseline not in known:
        errors.append(ConfigError(source, "baseline", f"'{allowlist.baseline}' is not an environment (known: {listing})"))
    for i, shape in enumerate(allowlist.shapes):
        for key, name in (("environment", shape.environment), ("reference", shape.reference)):
            if name not in known:
                errors.append(ConfigError(source, f"shapes[{i}].{key}", f"'{name}' is not an environment (known: {listing})"))
        env = environments.get(shape.environment)
        if env is not None and env.shape_of is not None and env.shape_of != shape.reference:
            errors.append(
                ConfigError(
                    source,
                    f"shapes[{i}].reference",
                    f"is '{shape.reference}' but environment '{shape.environment}' declares shapeOf: {env.shape_of}; "
                    "make them agree",
                )
            )
    if errors:
        raise ConfigErrors(errors)
    if allowlist.baseline not in graphs:
        raise PlatformError(
            f"parity needs the graph of the baseline environment '{allowlist.baseline}' (given: {', '.join(sorted(graphs)) or 'none'})",
            hint=f"evaluate '{allowlist.baseline}' too, or change 'baseline' in {source}",
        )


def _compare_pair(ref: _Side, env: _Side, ref_name: str, env_name: str, mode: Mode, allow: _Allowances) -> list[Difference]:
    out: list[Difference] = []

    def diff(
        change: Change,
        resource: str,
        type_token: str,
        path: str | None,
        ref_value: Any,
        env_value: Any,
        in_ref: bool,
        in_env: bool,
        hit: _Hit | None,
    ) -> None:
        out.append(
            Difference(
                environment=env_name,
                reference=ref_name,
                mode=mode,
                change=change,
                resource=resource,
                type=type_token,
                path=path,
                reference_value=ref_value,
                environment_value=env_value,
                in_reference=in_ref,
                in_environment=in_env,
                allowed=hit is not None,
                reason=hit[1].reason if hit is not None else None,
                entry=hit[0] if hit is not None else None,
            )
        )

    for kind_ in _ordered(ref.kinds, env.kinds):
        ref_ids = ref.kinds.get(kind_, [])
        env_ids = env.kinds.get(kind_, [])
        type_token = (ref.resources[ref_ids[0]] if ref_ids else env.resources[env_ids[0]]).type
        if not ref_ids or not env_ids:
            change: Change = "only-in-environment" if env_ids else "only-in-reference"
            hit: _Hit | None = allow.count(type_token, absent=True)
            diff(change, kind_, type_token, None, len(ref_ids), len(env_ids), bool(ref_ids), bool(env_ids), hit)
            continue
        if len(ref_ids) != len(env_ids):
            hit = allow.count(type_token, absent=False)
            diff("count", kind_, type_token, None, len(ref_ids), len(env_ids), True, True, hit)
        else:
            # same number but different members (e.g. shifted indices): each is a resource on one side only
            for ident in ref_ids:
                if ident not in env.resources:
                    diff("only-in-reference", ident, type_token, None, 1, 0, True, False, None)
            for ident in env_ids:
                if ident not in ref.resources:
                    diff("only-in-environment", ident, type_token, None, 0, 1, False, True, None)
        for ident in ref_ids:
            other = env.resources.get(ident)
            if other is None:
                continue
            mine = ref.resources[ident]
            for path in _ordered(mine.leaves, other.leaves):
                left = mine.leaves.get(path)
                right = other.leaves.get(path)
                if (
                    left is not None
                    and right is not None
                    and (canonical(left[0]) == canonical(right[0]) or canonical(left[1]) == canonical(right[1]))
                ):
                    continue
                prop_hit: _Hit | None = allow.property(type_token, path)
                diff(
                    "property",
                    ident,
                    type_token,
                    path,
                    left[1] if left is not None else None,
                    right[1] if right is not None else None,
                    left is not None,
                    right is not None,
                    prop_hit,
                )
    return out


def _ordered(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """Keys of ``first`` in order, then those only in ``second``."""
    return [*first, *(k for k in second if k not in first)]
