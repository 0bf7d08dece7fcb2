"""Make two environments' resources comparable: identities, kinds, leaf paths and placeholders.

- identity: the URN without its stack segment, ``<project>::<qualified type>::<name>``, with
  environment tokens in the name replaced (the stack resource is ``platform-dev`` in dev);
- kind: the identity with a trailing per-item index collapsed (``network-private-0`` ->
  ``network-private-*``), so per-AZ resources are counted together;
- leaves: inputs flattened to ``a.b[0].c`` paths; a list of scalars is one leaf, and a string
  holding a JSON object or list (an IAM policy document) is parsed and flattened too;
- tokens: the environment's name, account ID and region become ``<env>``, ``<account>`` and
  ``<region>`` when they stand as whole tokens (delimited by non-alphanumerics), so ``dev``
  inside ``device`` stays. An availability zone (region plus one letter, ``eu-west-1a``) keeps
  its letter: ``<region>a``.
"""

from __future__ import annotations

import json
import re
from typing import Any

ENV = "<env>"
ACCOUNT = "<account>"
REGION = "<region>"

_INDEX = re.compile(r"^(?P<stem>.+)-(?P<index>\d+)$")


class Tokens:
    """One environment's tokens and a single-pass replacer for them (placeholders are never re-replaced)."""

    def __init__(self, environment: str, account_id: str | None = None, region: str | None = None) -> None:
        self.environment = environment
        self.account_id = account_id
        self.region = region
        self._replacements = {environment: ENV}
        if account_id:
            self._replacements[account_id] = ACCOUNT
        if region:
            self._replacements[region] = REGION
        alternatives = []
        for token in sorted(self._replacements, key=len, reverse=True):
            # a region also stands as a token when followed by one letter: an availability zone
            tail = "(?=[a-z]?(?![A-Za-z0-9]))" if token == region else "(?![A-Za-z0-9])"
            alternatives.append(f"(?<![A-Za-z0-9]){re.escape(token)}{tail}")
        self._pattern = re.compile("|".join(alternatives))

    def replace(self, text: str) -> str:
        """``text`` with this environment's whole tokens replaced by placeholders."""
        return self._pattern.sub(lambda m: self._replacements[m.group(0)], text)

    def value(self, value: Any) -> Any:
        """``value`` with tokens replaced in every string, dict keys included."""
        if isinstance(value, str):
            return self.replace(value)
        if isinstance(value, dict):
            return {self.replace(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def split_urn(urn: str) -> tuple[str, str, str] | None:
    """``(project, qualified type, name)`` of ``urn:pulumi:<stack>::<project>::<type>::<name>``, or None."""
    if not urn.startswith("urn:pulumi:"):
        return None
    parts = urn[len("urn:pulumi:") :].split("::")
    if len(parts) < 4:
        return None
    return parts[1], parts[2], "::".join(parts[3:])


def identity(urn: str, tokens: Tokens) -> str:
    """The URN without its stack segment, environment tokens in the name replaced."""
    parts = split_urn(urn)
    if parts is None:
        return tokens.replace(urn)
    project, qualified_type, name = parts
    return f"{project}::{qualified_type}::{tokens.replace(name)}"


def kind(identity_: str) -> str:
    """The identity with a trailing per-item index on the logical name collapsed to ``*``."""
    head, sep, name = identity_.rpartition("::")
    match = _INDEX.match(name)
    if not match:
        return identity_
    return f"{head}{sep}{match.group('stem')}-*"


def _parse_json(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


def _is_scalar(value: Any) -> bool:
    if isinstance(value, str):
        return _parse_json(value) is None
    return not isinstance(value, (dict, list))


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """``value`` flattened to leaf paths (``a.b[0].c``); lists of scalars and empty containers are leaves."""
    out: dict[str, Any] = {}
    _flatten(value, prefix, out)
    return out


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, str):
        parsed = _parse_json(value)
        if parsed is not None:
            _flatten(parsed, path, out)
            return
        out[path] = value
    elif isinstance(value, dict):
        if not value:
            out[path] = {}
            return
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        if all(_is_scalar(item) for item in value):
            out[path] = list(value)
            return
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    else:
        out[path] = value


def canonical(value: Any) -> str:
    """A type-exact comparison key (``True`` differs from ``1``, ``"1"`` from ``1``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
