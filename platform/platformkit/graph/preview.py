"""Read ``pulumi preview --json --show-sames`` output as a resource graph (``source="preview"``).

On a machine with the Pulumi CLI and cloud credentials, ``pulumi preview --json --show-sames``
prints one JSON document (Pulumi's ``PreviewDigest``): ``config``, ``steps``, ``diagnostics``,
``duration`` and ``changeSummary``. Each step has an ``op``, a ``urn`` and, for operations that
leave a resource behind, a ``newState`` (Pulumi's ``apitype.ResourceV3``: ``urn``, ``custom``,
``type``, ``parent``, ``provider``, ``inputs``, ``dependencies``, ``propertyDependencies``,
``sourcePosition``, ...). This module turns that document into the same graph the offline
evaluation writes, so ``platform plan --from-preview``, parity and the policy gate accept either.

What becomes a record, one per URN, in the order the steps first name it:

- ``same``, ``create``, ``update``, ``import``: the step's ``newState``.
- A replacement emits several steps for one URN (``create-replacement``, ``replace`` and
  ``delete-replaced``, in an order that depends on delete-before-replace; plain ``--json``
  shows only ``replace``): one record, from the ``replace`` step's ``newState`` (else the
  ``create-replacement`` / ``import-replacement`` one).
- Steps that leave nothing behind are skipped: ``delete``, ``delete-replaced``, ``discard``
  (Pulumi's read-discard), ``discard-replaced``, ``remove-pending-replace``. So are
  ``refresh`` steps (``--refresh``: the step that follows says what the program wants) and
  ``diff`` steps (internal to the engine).
- ``read`` / ``read-replacement`` (``Resource.get``: a resource this stack only looks up) are
  dropped: the stack does not manage them, the offline evaluation never records them (the
  recorder sees only registrations), and keeping them would show up as a parity difference.
- Any other op is refused: a reader that guesses could hand the policy gate a wrong graph.

Values: secrets arrive as ``"[secret]"`` and stay :data:`~.model.SECRET`; unknowns arrive as
Pulumi's placeholder UUID and become :data:`~.model.UNKNOWN` (also inside lists and maps);
integral floats become ints (``normalise_value``). Provider references ``<urn>::<id>`` keep the
URN. Source positions become ``project:///<path>#<line>`` (a column is dropped); a position in
installed packages (``.venv``, ``site-packages``) or outside the project says nothing about our
code and becomes ``None``, as the offline recorder does (Pulumi's Python SDK records the
provider class's own file for ``pulumi.ProviderResource`` subclasses).

Warnings are the preview's ``warning`` diagnostics. A preview that reported an ``error``
diagnostic is refused: its steps stop where the program failed.

Without ``--show-sames`` Pulumi omits unchanged resources (except the root stack), so a graph
read from it would be missing most of the stack: when the ``same`` steps number fewer than
``changeSummary`` counts, the file is refused with a hint to re-run with ``--show-sames``.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import PlatformError
from .model import SECRET, GraphResource, ResourceGraph
from .normalise import PREVIEW_SECRET, normalise_urn, normalise_value

PREVIEW_COMMAND = "pulumi preview --json --show-sames"

KEPT_OPS = frozenset({"same", "create", "update", "import", "replace", "create-replacement", "import-replacement"})
"""Ops whose ``newState`` is a resource the program declares."""
REPLACEMENT_OPS = frozenset({"replace", "create-replacement", "import-replacement"})
"""Kept ops that may name the same URN more than once (one replacement)."""
SKIPPED_OPS = frozenset({"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"})
"""Ops that leave no resource behind."""
READ_OPS = frozenset({"read", "read-replacement"})
"""Reads of resources the stack does not manage: dropped (see the module docstring)."""
IGNORED_OPS = frozenset({"refresh", "diff"})
"""Engine bookkeeping, not a statement of what the program declares."""

_URN_PREFIX = "urn:pulumi:"
_EXCLUDED_POSITIONS = ("/.venv/", "/site-packages/")


def read_preview(path: Path) -> ResourceGraph:
    """Read a file written by ``pulumi preview --json --show-sames`` as a resource graph."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlatformError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise PlatformError(f"{path}: not a text file (expected the JSON of `{PREVIEW_COMMAND}`)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlatformError(
            f"{path}: not JSON ({exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno})",
            hint=f"write the file with `{PREVIEW_COMMAND} > FILE` (stdout only, no other output)",
        ) from None
    return graph_from_preview(data, origin=str(path))


def graph_from_preview(data: Any, *, origin: str) -> ResourceGraph:
    """The resource graph of one ``pulumi preview --json --show-sames`` document.

    ``origin`` names the input (a file path) in error messages. Raises ``PlatformError`` for
    anything that is not a complete preview of one stack.
    """
    if not isinstance(data, dict):
        raise PlatformError(
            f"{origin}: not a Pulumi preview (expected a JSON object with 'steps', got {_kind(data)})",
            hint=f"write the file with `{PREVIEW_COMMAND} > FILE`",
        )
    diagnostics = _diagnostics(data.get("diagnostics"), origin)
    _refuse_failed_preview(diagnostics, origin)
    steps = data.get("steps")
    if steps is None or steps == []:
        raise PlatformError(
            f"{origin}: the preview has no steps",
            hint=f"write the file with `{PREVIEW_COMMAND} > FILE`; even an empty program has its stack",
        )
    if not isinstance(steps, list):
        raise PlatformError(f"{origin}: 'steps' is {_kind(steps)}, not a list")

    checked = [_step(raw, index, origin) for index, raw in enumerate(steps)]
    project, stack = _one_stack(checked, origin)
    _require_sames(checked, data.get("changeSummary"), origin)

    chosen: dict[str, tuple[int, str, dict[str, Any]]] = {}
    order: list[str] = []
    for index, op, urn, raw in checked:
        if op in SKIPPED_OPS or op in READ_OPS or op in IGNORED_OPS:
            continue
        state = raw.get("newState")
        if not isinstance(state, dict):
            raise PlatformError(
                f"{origin}: steps[{index}] (op '{op}', {urn}) has no newState",
                hint="Pulumi leaves it out when it cannot serialise the state; re-run the preview, and report it if it persists",
            )
        key = normalise_urn(urn)
        previous = chosen.get(key)
        if previous is None:
            order.append(key)
            chosen[key] = (index, op, state)
            continue
        if previous[1] not in REPLACEMENT_OPS or op not in REPLACEMENT_OPS:
            raise PlatformError(
                f"{origin}: steps[{previous[0]}] (op '{previous[1]}') and steps[{index}] (op '{op}') both declare {urn}",
                hint="only the steps of one replacement may name the same resource; is this one preview's output?",
            )
        if op == "replace":
            chosen[key] = (index, op, state)

    resources = [_resource(key, *chosen[key], origin=origin) for key in order]
    warnings = [_warning_text(d) for d in diagnostics if d.get("severity") == "warning"]
    return ResourceGraph(
        project=project,
        stack=stack,
        source="preview",
        resources=resources,
        warnings=[w for w in warnings if w],
    )


def _step(raw: Any, index: int, origin: str) -> tuple[int, str, str, dict[str, Any]]:
    """Check one step's shape: an object with a known ``op`` and a Pulumi ``urn``."""
    if not isinstance(raw, dict):
        raise PlatformError(f"{origin}: steps[{index}] is {_kind(raw)}, not an object")
    op = raw.get("op")
    if not isinstance(op, str) or not op:
        raise PlatformError(f"{origin}: steps[{index}] has no 'op'")
    urn = raw.get("urn")
    if not isinstance(urn, str) or _urn_parts(urn) is None:
        raise PlatformError(f"{origin}: steps[{index}] (op '{op}') has no Pulumi URN (got {urn!r})")
    known = KEPT_OPS | SKIPPED_OPS | READ_OPS | IGNORED_OPS
    if op not in known:
        raise PlatformError(
            f"{origin}: steps[{index}] has op '{op}', which this reader does not know ({urn})",
            hint="a newer Pulumi CLI may have added it; teach platformkit/graph/preview.py what it means "
            f"(known: {', '.join(sorted(known))})",
        )
    return index, op, urn, raw


def _urn_parts(urn: str) -> tuple[str, str, str, str] | None:
    """``(stack, project, qualified type, name)`` of ``urn:pulumi:<stack>::<project>::<type>::<name>``."""
    if not urn.startswith(_URN_PREFIX):
        return None
    parts = urn[len(_URN_PREFIX) :].split("::", 3)
    if len(parts) != 4 or not all(parts):
        return None
    return parts[0], parts[1], parts[2], parts[3]


def _one_stack(steps: list[tuple[int, str, str, dict[str, Any]]], origin: str) -> tuple[str, str]:
    """The project and stack every step's URN names; refuse a file that mixes them."""
    seen: dict[tuple[str, str], int] = {}
    for index, _op, urn, _raw in steps:
        parts = _urn_parts(urn)
        assert parts is not None  # checked by _step
        seen.setdefault((parts[1], parts[0]), index)
    if len(seen) > 1:
        named = ", ".join(f"{project}/{stack} (from steps[{index}])" for (project, stack), index in seen.items())
        raise PlatformError(
            f"{origin}: the steps belong to more than one stack: {named}",
            hint="preview one stack per file: `pulumi preview --json --show-sames --stack <stack> > FILE`",
        )
    (project, stack) = next(iter(seen))
    return project, stack


def _require_sames(steps: list[tuple[int, str, str, dict[str, Any]]], summary: Any, origin: str) -> None:
    """Refuse a preview written without ``--show-sames`` (its unchanged resources are missing)."""
    if summary is None:
        return
    if not isinstance(summary, dict):
        raise PlatformError(f"{origin}: 'changeSummary' is {_kind(summary)}, not an object")
    expected = summary.get("same", 0)
    if not isinstance(expected, int | float) or isinstance(expected, bool):
        raise PlatformError(f"{origin}: 'changeSummary.same' is {_kind(expected)}, not a number")
    shown = sum(1 for _index, op, _urn, _raw in steps if op == "same")
    if shown < expected:
        raise PlatformError(
            f"{origin}: the preview leaves out unchanged resources (changeSummary counts {int(expected)} "
            f"'same', the steps show {shown}): it was written without --show-sames",
            hint=f"re-run `{PREVIEW_COMMAND} > FILE` (and without --changes-only)",
        )


def _diagnostics(raw: Any, origin: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(d, dict) for d in raw):
        raise PlatformError(f"{origin}: 'diagnostics' is not a list of objects")
    return list(raw)


def _refuse_failed_preview(diagnostics: list[dict[str, Any]], origin: str) -> None:
    errors = [d for d in diagnostics if d.get("severity") == "error"]
    if errors:
        first = _warning_text(errors[0], prefix="error:")
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise PlatformError(
            f"{origin}: the preview failed, so its steps are incomplete: {first}{more}",
            hint=f"fix the error, then re-run `{PREVIEW_COMMAND} > FILE`",
        )


def _warning_text(diagnostic: dict[str, Any], *, prefix: str = "warning:") -> str:
    """A diagnostic's message without Pulumi's ``warning: `` prefix and trailing newline."""
    message = str(diagnostic.get("message") or "").strip()
    if message.startswith(prefix):
        message = message[len(prefix) :].strip()
    return message


def _resource(urn: str, index: int, op: str, state: dict[str, Any], *, origin: str) -> GraphResource:
    where = f"{origin}: steps[{index}] (op '{op}', {urn})"
    parts = _urn_parts(urn)
    assert parts is not None  # checked by _step
    type_token = state.get("type")
    if not isinstance(type_token, str) or not type_token:
        raise PlatformError(f"{where}: newState has no 'type'")
    custom = state.get("custom")
    if not isinstance(custom, bool):
        raise PlatformError(f"{where}: newState has no boolean 'custom'")
    inputs = state.get("inputs")
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, dict):
        raise PlatformError(f"{where}: newState 'inputs' is {_kind(inputs)}, not an object")
    parent = state.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise PlatformError(f"{where}: newState 'parent' is {_kind(parent)}, not a URN")
    return GraphResource(
        urn=urn,
        type=type_token,
        name=parts[3],
        parent=normalise_urn(parent) if parent else None,
        custom=custom,
        inputs=_mask(normalise_value(inputs)),
        dependencies=_urns(state.get("dependencies"), f"{where}: newState 'dependencies'"),
        property_dependencies=_property_dependencies(state.get("propertyDependencies"), where),
        provider=_provider_urn(state.get("provider"), where),
        source_position=_source_position(state.get("sourcePosition")),
    )


def _mask(value: Any) -> Any:
    """Pulumi's ``[secret]`` as the graph's :data:`SECRET`, at any depth."""
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if value == PREVIEW_SECRET:
        return SECRET
    return value


def _urns(raw: Any, what: str) -> list[str]:
    """A list of URNs; Pulumi writes an empty one as ``null`` or leaves it out."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise PlatformError(f"{what} is not a list of URNs")
    return [normalise_urn(u) for u in raw]


def _property_dependencies(raw: Any, where: str) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PlatformError(f"{where}: newState 'propertyDependencies' is {_kind(raw)}, not an object")
    return {str(key): _urns(urns, f"{where}: newState 'propertyDependencies.{key}'") for key, urns in raw.items()}


def _provider_urn(raw: Any, where: str) -> str | None:
    """The URN of a provider reference ``<provider urn>::<provider id>`` (the id may be unknown in a preview)."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or _urn_parts(raw) is None:
        raise PlatformError(f"{where}: newState 'provider' is not a provider reference (got {raw!r})")
    urn, sep, _id = raw.rpartition("::")
    # A reference always ends in '::<id>'; a bare URN (no id) has only the URN's own separators.
    if not sep or _urn_parts(urn) is None:
        return normalise_urn(raw)
    return normalise_urn(urn)


def _source_position(raw: Any) -> str | None:
    """``project:///<path>#<line>`` from Pulumi's ``project:///<path>#<line>[,<column>]``; None for other code."""
    if not isinstance(raw, str) or not raw.startswith("project://"):
        return None
    parts = urlsplit(raw)
    relative = posixpath.normpath(unquote(parts.path).lstrip("/"))
    if relative in (".", "..") or relative.startswith("../"):
        return None  # the project itself, or outside it
    path = "/" + relative
    if any(p in path for p in _EXCLUDED_POSITIONS):
        return None
    line = parts.fragment.split(",", 1)[0]
    suffix = f"#{line}" if line.isdigit() and int(line) > 0 else ""
    return f"project://{path}{suffix}"


def _kind(value: Any) -> str:
    """A JSON value's kind, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__
