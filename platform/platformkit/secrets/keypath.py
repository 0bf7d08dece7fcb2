"""Key paths: how a person names one value of a secrets file (``db.admin_email``).

A key path is dot-separated mapping keys; a segment of digits only is a list index where the
document holds a list there. Segments are letters, digits, ``_`` and ``-`` (what sops' own index
syntax ``["db"]["admin_email"]`` can carry without escaping). Key names are not secret (sops
leaves them in clear), so messages may quote a key path; they never quote a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from ..errors import PlatformError

_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
MAX_KEY_PATH_LENGTH = 256

KeyPath = tuple[str, ...]
"""A parsed key path: its segments, in order."""


class KeyPathError(PlatformError):
    """A key path that is malformed, or names nothing in the document."""


def parse_key_path(text: str) -> KeyPath:
    """``"db.admin_email"`` -> ``("db", "admin_email")``; a clear error for anything malformed."""
    example = "use dot-separated keys such as 'db.admin_email' (letters, digits, '_' and '-')"
    if not text or not text.strip():
        raise KeyPathError("empty key path", hint=example)
    if len(text) > MAX_KEY_PATH_LENGTH:
        raise KeyPathError(f"key path longer than {MAX_KEY_PATH_LENGTH} characters", hint=example)
    segments = tuple(text.split("."))
    for index, segment in enumerate(segments):
        if not segment:
            raise KeyPathError(f"malformed key path '{_shown(text)}': empty segment at position {index + 1}", hint=example)
        if not _SEGMENT.fullmatch(segment):
            raise KeyPathError(
                f"malformed key path '{_shown(text)}': segment {index + 1} has characters other than letters, digits, '_' and '-'",
                hint=example,
            )
    return segments


def dotted(path: Sequence[str | int]) -> str:
    """The dotted form of a path through a document (list indexes as digits)."""
    return ".".join(str(part) for part in path)


def sops_index(path: tuple[str | int, ...]) -> str:
    """sops' index syntax: ``("db", "admin_email")`` -> ``["db"]["admin_email"]``; ints are list indexes."""
    return "".join(f"[{part}]" if isinstance(part, int) else f"[{json.dumps(part)}]" for part in path)


def _shown(text: str) -> str:
    """The key path as quoted in a message: printable characters only, cut to 80."""
    cleaned = "".join(c if c.isprintable() else "?" for c in text)
    return cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."
