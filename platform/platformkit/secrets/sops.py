"""A thin, typed wrapper over the real ``sops`` binary: no cryptography happens in Python.

- Decryption goes to memory only: ``sops decrypt --output-type json FILE`` writes to a pipe that
  is parsed here; no plaintext file is ever written (not even a temporary one).
- Values to store are passed on standard input (``sops set --value-stdin``), never as arguments
  (which other users can read in the process list).
- Every call has a timeout, except ``edit`` (a person is typing).
- Every failure becomes one ``SopsError`` with a fixed message per cause (no usable key, MAC
  mismatch, no MAC, bad ``.sops.yaml``, file missing, binary missing, ...). sops' own error
  output can echo decrypted values (``Input string <value> does not match sops' data format``),
  so it is never shown: only key identifiers (``age1...``, KMS ARNs) and AWS error names that
  match fixed patterns are extracted from it.
- Before sops is asked to decrypt, the file is read structurally and refused when it has no
  ``sops`` block or no MAC.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from ..errors import PlatformError
from .document import (
    MAX_EXACT_FLOAT_INT,
    EncryptedFile,
    SecretsDocument,
    SecretsFileError,
    file_format,
    typed_document,
)
from .keypath import KeyPath, KeyPathError, dotted, sops_index

SOPS_VERSION = "3.12.2"
"""The sops release the platform is tested with (scripts/install-sops installs exactly this one)."""

INSTALL_HINT = f"run scripts/setup, or install sops {SOPS_VERSION} from your package manager / the official release"

DEFAULT_TIMEOUT_SECONDS = 60.0
"""Per sops call; KMS round trips are usually well under a second."""

SecretValue = str | int | float | bool | None | dict[str, Any] | list[Any]
"""What ``set`` stores (encoded as JSON for ``sops set``)."""


class SopsFailure(StrEnum):
    """Why a sops operation failed; each has one fixed message."""

    BINARY_MISSING = "binary-missing"
    TIMEOUT = "timeout"
    NO_KEY = "no-key"
    MAC_MISMATCH = "mac-mismatch"
    MAC_NOT_FOUND = "mac-not-found"
    VALUE_TAMPERED = "value-tampered"
    CANNOT_READ = "cannot-read"
    NOT_SOPS = "not-sops"
    BAD_CONFIG = "bad-config"
    NO_CONFIG = "no-config"
    NO_CREATION_RULE = "no-creation-rule"
    NO_ENCRYPTION_KEY = "no-encryption-key"
    ALREADY_ENCRYPTED = "already-encrypted"
    INVALID_INPUT = "invalid-input"
    NOT_INTERACTIVE = "not-interactive"
    NO_EDITOR = "no-editor"
    INTERRUPTED = "interrupted"
    CANNOT_WRITE = "cannot-write"
    GENERIC = "generic"


class SopsError(PlatformError):
    """A sops operation failed. The message never contains a decrypted value or sops' raw output."""

    def __init__(self, message: str, *, failure: SopsFailure, sops_exit: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.failure = failure
        self.sops_exit = sops_exit


@dataclass(frozen=True)
class Sops:
    """The sops binary plus how to call it.

    ``config`` is the ``.sops.yaml`` passed as ``--config`` (creation rules for new files and
    ``updatekeys``); ``env`` adds to (or with ``None`` values removes from) this process'
    environment for sops, e.g. ``AWS_ENDPOINT_URL``; ``age_identities`` are age identity files
    handed to sops in memory (``SOPS_AGE_KEY``), so several environments' identities can be used
    at once.
    """

    binary: Path
    config: Path | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    env: Mapping[str, str | None] = field(default_factory=dict)
    age_identities: tuple[Path, ...] = ()

    @classmethod
    def locate(
        cls,
        *,
        config: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        env: Mapping[str, str | None] | None = None,
        age_identities: Sequence[Path] = (),
        search_path: str | None = None,
    ) -> Sops:
        """Find ``sops`` on ``PATH`` (or ``search_path``); a ``SopsError`` with the install hint when absent."""
        found = shutil.which("sops", path=search_path)
        if found is None:
            raise SopsError("the sops binary was not found on PATH", failure=SopsFailure.BINARY_MISSING, hint=INSTALL_HINT)
        return cls(Path(found), config, timeout, dict(env or {}), tuple(age_identities))

    # --- reading ---------------------------------------------------------------------------

    def version(self) -> str:
        """The binary's version, e.g. ``3.12.2``."""
        out = self._run(["--version", "--disable-version-check"], source="sops", global_flags=False)
        match = re.search(rb"sops (\d+\.\d+\.\d+)", out)
        return match.group(1).decode() if match else "unknown"

    def decrypt(self, path: Path, *, shown: str | None = None) -> SecretsDocument:
        """Decrypt ``path`` into memory and return the typed document. The MAC must be present and match."""
        source = shown or str(path)
        encrypted = self._preflight(path, source)
        out = self._run(
            ["decrypt", "--input-type", encrypted.format, "--output-type", "json", str(path.resolve())],
            source=source,
        )
        try:
            decrypted = json.loads(out)
        except ValueError:
            raise SopsError(f"{source}: sops printed something that is not JSON", failure=SopsFailure.GENERIC) from None
        finally:
            del out
        return typed_document(encrypted, decrypted)

    # --- writing ---------------------------------------------------------------------------

    def set(self, path: Path, key: KeyPath, value: SecretValue, *, shown: str | None = None) -> None:
        """Store ``value`` at ``key`` of the existing file ``path`` (same data key, new MAC).

        The value reaches sops as JSON on standard input. sops stores JSON numbers as 64-bit floats
        (``type:float``): integers beyond 2**53 would lose digits, so they are refused.
        """
        source = shown or str(path)
        encrypted = self._preflight(path, source)
        index_path = _index_path(encrypted, key, source)
        payload = _json_value(value, dotted(key))
        self._run(
            [
                "set",
                "--value-stdin",
                "--input-type",
                encrypted.format,
                "--output-type",
                encrypted.format,
                str(path.resolve()),
                sops_index(index_path),
            ],
            source=source,
            stdin=payload,
        )

    def encrypt_new(self, path: Path, data: Mapping[str, Any], *, shown: str | None = None, replace: bool = False) -> None:
        """Create ``path`` encrypted to the recipients ``.sops.yaml`` prescribes for it, from ``data`` in memory.

        An existing file is refused unless ``replace``; it is then swapped only once the new one is complete.
        """
        source = shown or str(path)
        if path.exists() and not replace:
            raise SopsError(f"{source}: already exists; change values with set or edit", failure=SopsFailure.ALREADY_ENCRYPTED)
        fmt = file_format(path)
        plain = (json.dumps(data) if fmt == "json" else yaml.safe_dump(dict(data), sort_keys=False)).encode()
        out = self._run(
            ["encrypt", "--filename-override", str(path.resolve()), "--input-type", fmt, "--output-type", fmt],
            source=source,
            stdin=plain,
        )
        del plain
        _write_atomically(path, out, source)

    def rotate(self, path: Path, *, shown: str | None = None) -> None:
        """New data key for ``path`` (every value re-encrypted), written in place."""
        source = shown or str(path)
        encrypted = self._preflight(path, source)
        self._run(
            ["rotate", "-i", "--input-type", encrypted.format, "--output-type", encrypted.format, str(path.resolve())],
            source=source,
        )

    def updatekeys(self, path: Path, *, shown: str | None = None) -> bool:
        """Re-encrypt ``path``'s data key to the recipients ``.sops.yaml`` now names; True when the file changed."""
        source = shown or str(path)
        encrypted = self._preflight(path, source)
        before = path.read_bytes()
        self._run(["updatekeys", "-y", "--input-type", encrypted.format, str(path.resolve())], source=source)
        return path.read_bytes() != before

    def edit(self, path: Path, *, shown: str | None = None, interactive: bool | None = None) -> bool:
        """Open ``path`` in ``$EDITOR`` through sops; True when it was changed.

        Refused unless standard input and output are a terminal. sops hands the editor a
        temporary plaintext file (that is how editors work): it is placed in ``/dev/shm``
        (memory) when that exists, and sops deletes it afterwards. sops talks to the terminal
        directly during the session (e.g. to report a syntax error and wait for Enter).
        """
        source = shown or str(path)
        if interactive is None:
            interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if not interactive:
            raise SopsError(
                f"{source}: edit needs an interactive terminal (it opens $EDITOR)",
                failure=SopsFailure.NOT_INTERACTIVE,
                hint="in scripts use 'platform secrets set ENV KEY' with the value on standard input",
            )
        encrypted = self._preflight(path, source)
        extra: dict[str, str | None] = {}
        if "TMPDIR" not in os.environ and Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
            extra["TMPDIR"] = "/dev/shm"
        before = path.read_bytes()
        try:
            self._run(
                ["edit", "--input-type", encrypted.format, "--output-type", encrypted.format, str(path.resolve())],
                source=source,
                use_timeout=False,
                interactive=True,
                extra_env=extra,
            )
        except SopsError as exc:
            if exc.sops_exit == 200:  # FileHasNotBeenModified
                return False
            raise
        return path.read_bytes() != before

    # --- internals -------------------------------------------------------------------------

    def _preflight(self, path: Path, source: str) -> EncryptedFile:
        try:
            encrypted = EncryptedFile.read(path, shown=source)
            encrypted.require_mac()
        except SecretsFileError as exc:
            known = {f.value for f in SopsFailure}
            failure = SopsFailure(exc.kind) if exc.kind in known else SopsFailure.GENERIC
            raise SopsError(exc.message, failure=failure, hint=exc.hint) from None
        return encrypted

    def _environment(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        for name, value in {**self.env, **(extra or {})}.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        if self.age_identities:
            keys = []
            for identity in self.age_identities:
                try:
                    keys.append(identity.read_text(encoding="utf-8"))
                except OSError as exc:
                    raise SopsError(
                        f"{identity}: cannot read the age identity ({exc.strerror})", failure=SopsFailure.CANNOT_READ
                    ) from None
            env["SOPS_AGE_KEY"] = "\n".join(keys)
            env.pop("SOPS_AGE_KEY_FILE", None)
        return env

    def _run(
        self,
        args: list[str],
        *,
        source: str,
        stdin: bytes | None = None,
        use_timeout: bool = True,
        interactive: bool = False,
        global_flags: bool = True,
        extra_env: Mapping[str, str | None] | None = None,
    ) -> bytes:
        command = [str(self.binary)]
        if global_flags and self.config is not None:
            command += ["--config", str(self.config.resolve())]
        command += args
        limit = self.timeout if use_timeout else None
        try:
            if interactive:
                # The terminal stays sops' own: it tells the person at it when the edited text does not
                # parse and waits for Enter. Only what this module reports is kept free of values.
                done = subprocess.run(command, env=self._environment(extra_env), timeout=limit, check=False)
            else:
                done = subprocess.run(
                    command,
                    input=stdin if stdin is not None else b"",
                    capture_output=True,
                    env=self._environment(extra_env),
                    timeout=limit,
                    check=False,
                )
        except FileNotFoundError:
            raise SopsError(
                f"the sops binary is gone ({self.binary})", failure=SopsFailure.BINARY_MISSING, hint=INSTALL_HINT
            ) from None
        except PermissionError:
            raise SopsError(
                f"the sops binary is not executable ({self.binary})", failure=SopsFailure.BINARY_MISSING, hint=INSTALL_HINT
            ) from None
        except subprocess.TimeoutExpired:
            raise SopsError(
                f"{source}: sops did not finish within {self.timeout:g} seconds",
                failure=SopsFailure.TIMEOUT,
                hint="a KMS endpoint may be unreachable (check AWS_ENDPOINT_URL, network, credentials)",
            ) from None
        if done.returncode != 0:
            raise failure_for(done.returncode, done.stderr or b"", source) from None
        return done.stdout if done.stdout is not None else b""


def failure_for(code: int, stderr: bytes, source: str) -> SopsError:
    """The one clear error for sops exit ``code``. ``stderr`` is only searched for fixed phrases and
    key identifiers; none of its text is copied into the message."""
    text = stderr.decode("utf-8", errors="replace")
    keys = _failed_keys(text)
    tried = f" (tried: {'; '.join(keys)})" if keys else ""
    key_hint = (
        "give sops a key that is a recipient of this file: the environment's age identity "
        "(SOPS_AGE_KEY_FILE, or --age-identity) or AWS credentials allowed to use its KMS key with the file's encryption context"
    )
    integrity_hint = "restore the file from git ('git checkout -- FILE') and change values only with 'platform secrets set/edit'"
    if code == 128:
        return SopsError(
            f"{source}: no usable key to decrypt it{tried}", failure=SopsFailure.NO_KEY, sops_exit=code, hint=key_hint
        )
    if code == 51:
        if "has no MAC" in text:
            return SopsError(
                f"{source}: the file has no MAC, so sops cannot verify it was not altered; refusing it",
                failure=SopsFailure.MAC_NOT_FOUND,
                sops_exit=code,
                hint=integrity_hint,
            )
        return SopsError(
            f"{source}: integrity check failed: MAC mismatch (values, keys or their order were changed outside sops); refusing it",
            failure=SopsFailure.MAC_MISMATCH,
            sops_exit=code,
            hint=integrity_hint,
        )
    if code == 52:
        return SopsError(
            f"{source}: the file has no MAC, so sops cannot verify it was not altered; refusing it",
            failure=SopsFailure.MAC_NOT_FOUND,
            sops_exit=code,
            hint=integrity_hint,
        )
    if code in (24, 25):
        return SopsError(
            f"{source}: integrity check failed: a value does not authenticate against the MAC/data key (it was altered, "
            "moved from another key or file, or added unencrypted by hand); refusing it",
            failure=SopsFailure.VALUE_TAMPERED,
            sops_exit=code,
            hint=integrity_hint,
        )
    if code == 2:
        return SopsError(
            f"{source}: sops cannot read it (missing or unreadable)", failure=SopsFailure.CANNOT_READ, sops_exit=code
        )
    if code == 100:
        return SopsError(f"{source}: no such file", failure=SopsFailure.CANNOT_READ, sops_exit=code)
    if code == 3:
        return SopsError(f"{source}: sops cannot write the result", failure=SopsFailure.CANNOT_WRITE, sops_exit=code)
    if code == 5 or (code == 1 and "error loading config" in text and "no matching creation rules" not in text):
        return SopsError(f"{source}: .sops.yaml is invalid", failure=SopsFailure.BAD_CONFIG, sops_exit=code, hint=_RULES_HINT)
    if code == 61:
        return SopsError(f"{source}: no .sops.yaml found", failure=SopsFailure.NO_CONFIG, sops_exit=code, hint=_RULES_HINT)
    if code == 1 and "no matching creation rules" in text:
        return SopsError(
            f"{source}: no creation rule of .sops.yaml matches this file",
            failure=SopsFailure.NO_CREATION_RULE,
            sops_exit=code,
            hint="secrets files live at environments/secrets/<env>.enc.yaml; " + _RULES_HINT,
        )
    if code == 111 or (code == 1 and "Could not generate data key" in text):
        return SopsError(
            f"{source}: sops could not encrypt the data key to every recipient{tried or _reasons(text)}",
            failure=SopsFailure.NO_ENCRYPTION_KEY,
            sops_exit=code,
            hint="every recipient must be reachable to encrypt: AWS credentials allowed to use the KMS key, or "
            "AWS_ENDPOINT_URL for an emulator",
        )
    if code == 203:
        return SopsError(f"{source}: already encrypted", failure=SopsFailure.ALREADY_ENCRYPTED, sops_exit=code)
    if code == 1 and "sops metadata not found" in text:
        return SopsError(f"{source}: not a sops-encrypted file", failure=SopsFailure.NOT_SOPS, sops_exit=code)
    if code == 1 and "Error unmarshalling input" in text:
        return SopsError(f"{source}: not valid YAML/JSON", failure=SopsFailure.CANNOT_READ, sops_exit=code)
    if code in (6, 7, 91):
        return SopsError(
            f"{source}: sops refused the key path, value or encryption context format",
            failure=SopsFailure.INVALID_INPUT,
            sops_exit=code,
        )
    if code == 201:
        return SopsError(
            f"{source}: no editor found", failure=SopsFailure.NO_EDITOR, sops_exit=code, hint="set EDITOR (or SOPS_EDITOR)"
        )
    if code == 200:
        return SopsError(f"{source}: not modified", failure=SopsFailure.GENERIC, sops_exit=code)
    if code in (85, 130, -2):
        return SopsError(f"{source}: interrupted", failure=SopsFailure.INTERRUPTED, sops_exit=code)
    return SopsError(f"{source}: sops failed (exit {code}){_reasons(text)}", failure=SopsFailure.GENERIC, sops_exit=code)


_RULES_HINT = "regenerate it from the environments with 'platform secrets sync-rules'"

_SAFE_KEY_ID = re.compile(
    r"^(?:age1[02-9ac-hj-np-z]{58}"
    r"|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:alias|key)/[A-Za-z0-9/_.-]+(?:\|[A-Za-z0-9_.:,=-]*)?"
    r"|[0-9A-F]{40})\Z"
)
"""Identifiers sops prints for a key: age recipients, KMS ARNs (with their context), PGP fingerprints."""

_FAILED_KEY_LINE = re.compile(r"^\s+(\S+): FAILED\s*$")

_REASONS: tuple[tuple[str, str], ...] = (
    ("identity did not match", "this identity is not a recipient"),
    ("no identity matched", "this identity is not a recipient"),
    ("failed to load age identities", "no age identity available"),
    ("Did not find keys in", "no age identity available"),
    ("InvalidCiphertextException", "KMS refused the ciphertext (wrong key or encryption context)"),
    ("AccessDeniedException", "KMS access denied"),
    ("NotFoundException", "KMS key or alias not found"),
    ("DisabledException", "KMS key disabled"),
    ("KMSInvalidStateException", "KMS key not usable (pending deletion?)"),
    ("UnrecognizedClientException", "AWS credentials not recognised"),
    ("get credentials", "no AWS credentials"),
    ("no EC2 IMDS role", "no AWS credentials"),
    ("connection refused", "KMS endpoint unreachable"),
    ("no such host", "KMS endpoint unreachable"),
    ("i/o timeout", "KMS endpoint unreachable"),
    ("could not decrypt data key with PGP", "no PGP secret key"),
    ("empty key group", "the creation rule names no keys"),
)


def _classify(detail: str) -> str:
    flat = " ".join(detail.split())
    return next((reason for phrase, reason in _REASONS if phrase in flat), "failed")


def _failed_keys(text: str) -> list[str]:
    """``"<key id>: <reason>"`` for each key sops reports as FAILED (identifiers and fixed reasons only)."""
    found: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _FAILED_KEY_LINE.match(line)
        if not match or not _SAFE_KEY_ID.match(match.group(1)):
            continue
        detail = []
        for following in lines[i + 1 :]:
            if _FAILED_KEY_LINE.match(following) or not following.strip() or following.startswith(("Group", "Recovery")):
                break
            detail.append(following)
        key_id = match.group(1).split("|", 1)[0]
        found.append(f"{key_id}: {_classify(' '.join(detail))}")
    return found


def _reasons(text: str) -> str:
    reasons = sorted({reason for phrase, reason in _REASONS if phrase in " ".join(text.split())})
    return f" ({'; '.join(reasons)})" if reasons else ""


def _index_path(encrypted: EncryptedFile, key: KeyPath, source: str) -> tuple[str | int, ...]:
    """sops' path for ``key`` in this file; list indexes where the file holds a list; never replaces a value by a map."""
    node: Any = encrypted.tree
    path: list[str | int] = []
    for position, segment in enumerate(key):
        if isinstance(node, list):
            if not segment.isdigit() or int(segment) >= len(node):
                raise KeyPathError(f"{source}: '{dotted((*path, segment))}' is not an index of the list at '{dotted(path)}'")
            path.append(int(segment))
            node = node[int(segment)]
        elif isinstance(node, dict):
            path.append(segment)
            node = node.get(segment)
        else:
            raise KeyPathError(
                f"{source}: '{dotted(path)}' holds a value, not a section, so '{dotted(key)}' cannot be set",
                hint=f"set '{dotted(path)}' itself, or choose another key",
            )
        if node is None and position < len(key) - 1:
            node = {}
    if isinstance(node, dict | list) and node:
        raise KeyPathError(
            f"{source}: '{dotted(key)}' is a section; set one of its keys instead",
        )
    return tuple(path)


def _json_value(value: SecretValue, where: str) -> bytes:
    def too_big(v: Any) -> bool:
        if isinstance(v, bool):
            return False
        if isinstance(v, int):
            return abs(v) > MAX_EXACT_FLOAT_INT
        if isinstance(v, dict):
            return any(too_big(x) for x in v.values())
        if isinstance(v, list):
            return any(too_big(x) for x in v)
        return False

    if too_big(value):
        raise SopsError(
            f"{where}: integers beyond 2**53 lose digits in sops (it stores numbers as 64-bit floats)",
            failure=SopsFailure.INVALID_INPUT,
            hint="store the number as a string",
        )
    try:
        return json.dumps(value, allow_nan=False).encode()
    except (TypeError, ValueError):
        raise SopsError(
            f"{where}: only strings, numbers, booleans, null, lists and maps can be stored", failure=SopsFailure.INVALID_INPUT
        ) from None


def _write_atomically(path: Path, content: bytes, source: str) -> None:
    """Write encrypted ``content`` next to ``path`` then rename, so a failure never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        umask = os.umask(0)
        os.umask(umask)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise SopsError(f"{source}: cannot write ({exc.strerror})", failure=SopsFailure.CANNOT_WRITE) from None
