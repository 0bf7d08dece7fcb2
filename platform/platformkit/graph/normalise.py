"""Normalisation shared by both graph sources: URNs, secrets, unknowns, numbers, source positions."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .model import SECRET, UNKNOWN

SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""Key Pulumi's wire format marks special values with (secrets, resource references, assets)."""
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REF_SIG_VALUE = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The string Pulumi uses for values unknown during preview."""
PREVIEW_SECRET = "[secret]"

_MOCK_STACK_SEGMENT = "pulumi:pulumi:Stack$"


def normalise_urn(urn: str) -> str:
    """Drop the ``pulumi:pulumi:Stack$`` parent segment mock URNs carry and the real engine omits."""
    head, sep, rest = urn.partition("::")
    if not sep:
        return urn
    parts = rest.split("::")
    if len(parts) >= 3 and parts[1].startswith(_MOCK_STACK_SEGMENT) and parts[1] != "pulumi:pulumi:Stack":
        parts[1] = parts[1][len(_MOCK_STACK_SEGMENT) :]
    return head + sep + "::".join(parts)


def normalise_value(value: Any) -> Any:
    """Mask secrets, mark unknowns, turn integral floats back into ints, unwrap resource references; sort keys.

    Keys are sorted because the order in which a program's inputs arrive (protobuf maps) differs from
    one process to the next, and graphs, plans and manifests must be byte-for-byte repeatable.
    """
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG)
        if sig == SECRET_SIG_VALUE:
            return SECRET
        if sig == RESOURCE_REF_SIG_VALUE:
            return normalise_urn(str(value.get("urn", "")))
        return {str(k): normalise_value(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [normalise_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == UNKNOWN_VALUE:
        return UNKNOWN
    return value


def source_position(uri: str | None, line: int | None, project_root: Path) -> str | None:
    """``project:///<path relative to the project>#<line>``, as the engine records it; None when outside it."""
    if not uri:
        return None
    if uri.startswith("project://"):
        return uri
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    try:
        relative = path.resolve().relative_to(project_root.resolve())
    except ValueError:
        return None
    suffix = f"#{line}" if line else ""
    return f"project:///{relative.as_posix()}{suffix}"
