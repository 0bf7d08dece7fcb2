"""Find plaintext secrets committed (or about to be) anywhere in the repository.

Files scanned: what git tracks plus untracked files git does not ignore (``git ls-files
--cached --others --exclude-standard``); without git, every file below the root except hidden
folders. Binary files (a NUL byte in the first 8 KiB) and files over 5 MiB are skipped.

Two kinds of finding, each reported by file and line, never with the matched text:

1. **A decrypted value** of any secrets file: every encrypted string value of at least
   ``MIN_VALUE_LENGTH`` characters, and each line of at least that length of a multi-line
   value, searched as an exact substring. Shorter strings, numbers, booleans and dates are not
   searched (``5432`` or ``true`` would match innocent text). Values a key ending in
   ``_unencrypted`` holds are public by design and not searched.
2. **A secret pattern**: an age secret key (allowed only under ``tests/fixtures/age/``, the
   public test-only identities), an AWS access key ID (``AKIA``/``ASIA`` + 16; the documented
   example ``...EXAMPLE`` is allowed), an AWS secret access key assigned to a name containing
   ``aws_secret_access_key`` (the documented example is allowed), and PEM/OpenSSH/PGP private
   key blocks.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MIN_VALUE_LENGTH = 8
MAX_FILE_BYTES = 5 * 1024 * 1024
AGE_KEY_ALLOWED_UNDER = "tests/fixtures/age/"

_PATTERNS: tuple[tuple[str, re.Pattern[str], str | None], ...] = (
    ("age secret key", re.compile(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"), None),
    ("AWS access key ID", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])"), "EXAMPLE"),
    (
        "AWS secret access key",
        re.compile(r"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
        "EXAMPLEKEY",
    ),
    ("private key block", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"), None),
)


@dataclass(frozen=True)
class Leak:
    """A plaintext secret found in a file: where and what kind (never the text itself)."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def candidate_files(root: Path) -> list[str]:
    """Repository-relative paths to scan (see the module docstring)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is not None and done.returncode == 0:
        names = {n for n in done.stdout.decode("utf-8", errors="replace").split("\0") if n}
        return sorted(n for n in names if (root / n).is_file())
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in {"__pycache__", "node_modules"}]
        for name in files:
            found.append((Path(folder) / name).relative_to(root).as_posix())
    return sorted(found)


def needles(values: Iterable[object]) -> set[str]:
    """The strings to search for, from decrypted secret values (see the module docstring)."""
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            continue
        if len(value.strip()) >= MIN_VALUE_LENGTH and "\n" not in value.strip():
            found.add(value.strip())
        for line in value.splitlines():
            if len(line.strip()) >= MIN_VALUE_LENGTH:
                found.add(line.strip())
    return found


def scan(root: Path, secret_values: Iterable[object], *, files: list[str] | None = None) -> list[Leak]:
    """Every leak in ``files`` (default: ``candidate_files(root)``)."""
    wanted = needles(secret_values)
    leaks: list[Leak] = []
    for relative in files if files is not None else candidate_files(root):
        text = _text_of(root / relative)
        if text is None:
            continue
        leaks.extend(_leaks_in(relative, text, wanted))
    return leaks


def _text_of(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def _leaks_in(relative: str, text: str, wanted: set[str]) -> Iterator[Leak]:
    reported: set[tuple[int, str]] = set()
    for needle in wanted:
        start = text.find(needle)
        while start != -1:
            key = (_line_of(text, start), "a decrypted value of a secrets file")
            if key not in reported:
                reported.add(key)
                yield Leak(relative, *key)
            start = text.find(needle, start + 1)
    for what, pattern, allowed_marker in _PATTERNS:
        if what == "age secret key" and relative.startswith(AGE_KEY_ALLOWED_UNDER):
            continue
        for match in pattern.finditer(text):
            if allowed_marker and allowed_marker in match.group(0):
                continue
            key = (_line_of(text, match.start()), what)
            if key not in reported:
                reported.add(key)
                yield Leak(relative, *key)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
