"""What a sops file holds, read without decrypting anything, and the typed result of decrypting it.

An encrypted file is read structurally here (no crypto): its ``sops`` metadata (recipients, MAC
present or not, encryption scope) and every leaf, encrypted (``ENC[AES256_GCM,...,type:T]``) or
not. ``SecretsDocument`` is the decrypted, typed tree; its ``repr`` never shows a value, and every
error it raises names a key, never a value.

Types: ``sops decrypt --output-type json`` loses two distinctions sops itself keeps, the float
``2.0`` (printed ``2``) and timestamps (printed as strings). Each decrypted leaf therefore takes
the type of its ``type:`` tag (``float`` -> ``float``, ``time`` -> ``datetime``), which is the
type sops decoded it as. That tag is NOT covered by the MAC: anyone who can write the file can
turn an ``int`` into a ``str``. Callers that rely on a type ask for it: ``document.get(key, int)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, cast, overload

import yaml

from ..errors import PlatformError
from .keypath import KeyPath, KeyPathError, dotted, parse_key_path

MASK = "[secret]"
"""What ``show`` prints instead of an encrypted value (the same marker as ``platform plan``)."""

DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"
"""sops' default: keys ending with it (and everything below them) stay in clear."""

MAX_EXACT_FLOAT_INT = 2**53
"""Largest integer a 64-bit float (how sops stores JSON numbers) holds exactly."""

ENC_VALUE = re.compile(
    r"^ENC\[AES256_GCM,data:(?P<data>[A-Za-z0-9+/=]*),iv:(?P<iv>[A-Za-z0-9+/=]+),"
    r"tag:(?P<tag>[A-Za-z0-9+/=]+),type:(?P<type>str|int|float|bool|time|bytes|comment)\]\Z"
)
"""One value as sops writes it encrypted."""

FileFormat = Literal["yaml", "json"]
Path_ = tuple[str | int, ...]
T = TypeVar("T")

_OTHER_KEY_TYPES: dict[str, str] = {
    "pgp": "fp",
    "gcp_kms": "resource_id",
    "azure_kv": "vaultUrl",
    "hc_vault": "vault_address",
    "hckms": "key_id",
}
"""Recipient kinds this platform does not prescribe, with the field naming each entry."""


class SecretsFileError(PlatformError):
    """A file that is not a usable sops file (not found, not YAML/JSON, no metadata, no MAC)."""

    def __init__(self, message: str, *, kind: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind


class SecretTypeError(PlatformError):
    """A decrypted value whose type is not the one the caller expects (the type tag is not under the MAC)."""


@dataclass(frozen=True, order=True)
class KmsRecipient:
    """An AWS KMS master key of a sops file: its ARN and the encryption context bound to it."""

    arn: str
    context: tuple[tuple[str, str], ...] = ()
    role: str = ""
    aws_profile: str = ""

    @classmethod
    def of(cls, arn: str, context: Mapping[str, str] | None = None, *, role: str = "", aws_profile: str = "") -> KmsRecipient:
        """A recipient with its context given as a mapping (stored sorted, so equal contexts compare equal)."""
        return cls(arn, tuple(sorted((str(k), str(v)) for k, v in (context or {}).items())), role, aws_profile)

    def __str__(self) -> str:
        ctx = ",".join(f"{k}={v}" for k, v in self.context)
        return f"{self.arn} (context {ctx})" if ctx else self.arn


@dataclass(frozen=True)
class Recipients:
    """Who can decrypt a file's data key: KMS keys, age recipients and anything else listed."""

    kms: frozenset[KmsRecipient] = frozenset()
    age: frozenset[str] = frozenset()
    other: frozenset[str] = frozenset()
    key_groups: int = 1

    def describe(self) -> list[str]:
        """One line per recipient, sorted, for reports."""
        return [
            *(f"kms {k}" for k in sorted(self.kms)),
            *(f"age {a}" for a in sorted(self.age)),
            *(f"{o}" for o in sorted(self.other)),
        ]


@dataclass(frozen=True)
class EncryptionScope:
    """Which values sops was told to leave in clear (only one of these may be set per file)."""

    unencrypted_suffix: str = ""
    encrypted_suffix: str = ""
    unencrypted_regex: str = ""
    encrypted_regex: str = ""
    unencrypted_comment_regex: str = ""
    encrypted_comment_regex: str = ""
    mac_only_encrypted: bool = False


@dataclass(frozen=True)
class SopsMetadata:
    """The ``sops`` block of an encrypted file (all of it readable without any key)."""

    recipients: Recipients
    scope: EncryptionScope
    has_mac: bool
    version: str
    lastmodified: str


@dataclass(frozen=True)
class EncryptedLeaf:
    """One leaf of the encrypted tree: its path and whether (and as what type) it is encrypted."""

    path: Path_
    encrypted: bool
    type_tag: str | None
    is_empty: bool
    """``""`` or ``null``: sops never encrypts those."""


@dataclass(frozen=True, repr=False)
class EncryptedFile:
    """A sops-encrypted YAML or JSON file, parsed without decrypting: metadata and leaves."""

    source: str
    format: FileFormat
    metadata: SopsMetadata
    tree: Any = field(repr=False)
    leaves: tuple[EncryptedLeaf, ...] = field(repr=False)
    unencrypted_comments: tuple[int, ...] = ()
    """Line numbers of YAML comments left in clear (sops encrypts comments: these were added by hand)."""

    def __repr__(self) -> str:
        return f"EncryptedFile({self.source!r}, {len(self.leaves)} values)"

    @classmethod
    def read(cls, path: Path, *, shown: str | None = None) -> EncryptedFile:
        """Read and parse ``path``; ``SecretsFileError`` when it is missing or not a sops file."""
        source = shown or str(path)
        if not path.exists():
            raise SecretsFileError(f"{source}: no such file", kind="cannot-read")
        if not path.is_file():
            raise SecretsFileError(f"{source}: not a file", kind="cannot-read")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SecretsFileError(f"{source}: cannot read ({exc.strerror})", kind="cannot-read") from None
        except UnicodeDecodeError:
            raise SecretsFileError(f"{source}: not UTF-8 text, so not a sops YAML/JSON file", kind="cannot-read") from None
        return cls.parse(text, file_format(path), source=source)

    @classmethod
    def parse(cls, text: str, fmt: FileFormat, *, source: str) -> EncryptedFile:
        """Parse the text of an encrypted file (never echoes its content in an error)."""
        try:
            document = json.loads(text) if fmt == "json" else yaml.load(text, Loader=_StringKeyLoader)
        except (ValueError, yaml.YAMLError):
            raise SecretsFileError(f"{source}: not valid {fmt.upper()}", kind="cannot-read") from None
        if not isinstance(document, dict) or not isinstance(document.get("sops"), dict):
            raise SecretsFileError(
                f"{source}: not a sops-encrypted file (no 'sops' metadata block)",
                kind="not-sops",
                hint="encrypt it with 'platform secrets set' or sops; never commit it in clear",
            )
        metadata = _metadata(document["sops"], source)
        tree = {k: v for k, v in document.items() if k != "sops"}
        leaves = tuple(_leaves(tree, ()))
        comments = _clear_comment_lines(text) if fmt == "yaml" else ()
        return cls(source, fmt, metadata, tree, leaves, comments)

    def require_mac(self) -> None:
        """Refuse a file without a MAC: nothing would detect values changed, removed or reordered."""
        if not self.metadata.has_mac:
            raise SecretsFileError(
                f"{self.source}: the file has no MAC, so sops cannot verify it was not altered; refusing it",
                kind="mac-not-found",
                hint="re-create it with sops from a trusted copy of its values",
            )

    def unencrypted_values(self, suffix: str = DEFAULT_UNENCRYPTED_SUFFIX) -> list[str]:
        """Dotted keys of values left in clear although no key on their path ends with ``suffix``."""
        found = []
        for leaf in self.leaves:
            if leaf.encrypted or leaf.is_empty:
                continue
            if suffix and any(isinstance(p, str) and p.endswith(suffix) for p in leaf.path):
                continue
            found.append(dotted(leaf.path))
        return found


@dataclass(frozen=True, repr=False)
class SecretsDocument:
    """A decrypted sops file: the typed tree (in memory only) and the file's metadata.

    ``repr`` and every error name keys only. Encrypted leaves are ``encrypted_paths``; the rest were
    in clear in the file (``*_unencrypted`` keys, ``""`` and ``null``).
    """

    source: str
    data: Mapping[str, Any] = field(repr=False)
    metadata: SopsMetadata
    encrypted_paths: frozenset[Path_] = field(repr=False)

    def __repr__(self) -> str:
        return f"SecretsDocument({self.source!r}, {len(self.encrypted_paths)} encrypted values)"

    def leaves(self) -> Iterator[tuple[Path_, Any]]:
        """Every leaf with its path, in file order."""
        yield from _walk(self.data, ())

    def keys(self) -> list[str]:
        """Dotted keys of every leaf, in file order."""
        return [dotted(path) for path, _ in self.leaves()]

    def secret_values(self) -> list[Any]:
        """The values that were encrypted in the file (for leak scans; never print them)."""
        return [value for path, value in self.leaves() if path in self.encrypted_paths]

    def resolve(self, key: str | KeyPath) -> Path_:
        """The document path ``key`` names (digits index lists); ``KeyPathError`` when it names nothing."""
        segments = parse_key_path(key) if isinstance(key, str) else key
        node: Any = self.data
        path: list[str | int] = []
        for segment in segments:
            if isinstance(node, Mapping) and segment in node:
                path.append(segment)
                node = node[segment]
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                path.append(int(segment))
                node = node[int(segment)]
            else:
                where = dotted((*path, segment))
                known = ", ".join(self.keys()[:20]) or "none"
                raise KeyPathError(f"{self.source}: no key '{where}'", hint=f"keys in this file: {known}")
        return tuple(path)

    def lookup(self, key: str | KeyPath) -> Any:
        """The value (leaf or subtree) at ``key``."""
        node: Any = self.data
        for part in self.resolve(key):
            node = node[part]
        return node

    @overload
    def get(self, key: str | KeyPath, expected: type[T]) -> T: ...
    @overload
    def get(self, key: str | KeyPath, expected: None = None) -> Any: ...
    def get(self, key: str | KeyPath, expected: type[Any] | None = None) -> Any:
        """The value at ``key``, checked to be of type ``expected`` (``str``, ``int``, ``float``, ``bool``,
        ``datetime``, ``dict``, ``list``) when given.

        ``int`` also accepts an integral float up to 2**53 (``sops set`` stores JSON numbers as floats);
        ``float`` also accepts an int. ``bool`` is never taken for a number.
        """
        value = self.lookup(key)
        if expected is None:
            return value
        return _checked(value, expected, f"{self.source}: {dotted(self.resolve(key))}")

    def masked(self) -> Any:
        """The tree with every encrypted value replaced by ``MASK`` (clear values kept)."""
        return _mask(self.data, (), self.encrypted_paths)


def file_format(path: Path) -> FileFormat:
    """``json`` for ``*.json``, else ``yaml`` (the formats the platform reads)."""
    return "json" if path.suffix.lower() == ".json" else "yaml"


def typed_document(encrypted: EncryptedFile, decrypted: Any) -> SecretsDocument:
    """Combine sops' JSON output with the encrypted file's type tags into a ``SecretsDocument``."""
    encrypted_paths: set[Path_] = set()
    data = _restore(encrypted.tree, decrypted, (), encrypted_paths, encrypted.source)
    if not isinstance(data, dict):
        raise SecretsFileError(f"{encrypted.source}: decrypted document is not a mapping", kind="structure")
    return SecretsDocument(encrypted.source, data, encrypted.metadata, frozenset(encrypted_paths))


# --- parsing helpers -------------------------------------------------------------------------


class _StringKeyLoader(yaml.SafeLoader):
    """SafeLoader keeping mapping keys as the text written (sops keys are strings: ``on:`` stays ``"on"``)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StringKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_CLEAR_COMMENT = re.compile(r"^\s*#(?!ENC\[AES256_GCM,)")


def _clear_comment_lines(text: str) -> tuple[int, ...]:
    """1-based numbers of whole-line comments that are not sops-encrypted (``#ENC[...]``)."""
    return tuple(n for n, line in enumerate(text.splitlines(), start=1) if _CLEAR_COMMENT.match(line))


def _metadata(block: dict[str, Any], source: str) -> SopsMetadata:
    raw_groups = block.get("key_groups")
    groups: list[dict[str, Any]] = (
        [g for g in raw_groups if isinstance(g, dict)] if isinstance(raw_groups, list) and raw_groups else [block]
    )
    kms: set[KmsRecipient] = set()
    age: set[str] = set()
    other: set[str] = set()
    for group in groups:
        for entry in _entries(group.get("kms")):
            context = entry.get("context") or {}
            if not isinstance(context, dict):
                raise SecretsFileError(f"{source}: sops metadata has a KMS context that is not a mapping", kind="not-sops")
            kms.add(
                KmsRecipient.of(
                    str(entry.get("arn", "")),
                    {str(k): str(v) for k, v in context.items()},
                    role=str(entry.get("role") or ""),
                    aws_profile=str(entry.get("aws_profile") or ""),
                )
            )
        age.update(str(entry.get("recipient", "")) for entry in _entries(group.get("age")))
        for kind, name_field in _OTHER_KEY_TYPES.items():
            other.update(f"{kind} {entry.get(name_field, '?')}" for entry in _entries(group.get(kind)))
    mac = block.get("mac")
    scope = EncryptionScope(
        unencrypted_suffix=str(block.get("unencrypted_suffix") or ""),
        encrypted_suffix=str(block.get("encrypted_suffix") or ""),
        unencrypted_regex=str(block.get("unencrypted_regex") or ""),
        encrypted_regex=str(block.get("encrypted_regex") or ""),
        unencrypted_comment_regex=str(block.get("unencrypted_comment_regex") or ""),
        encrypted_comment_regex=str(block.get("encrypted_comment_regex") or ""),
        mac_only_encrypted=bool(block.get("mac_only_encrypted") or False),
    )
    return SopsMetadata(
        recipients=Recipients(frozenset(kms), frozenset(age), frozenset(other), key_groups=len(groups)),
        scope=scope,
        has_mac=isinstance(mac, str) and bool(ENC_VALUE.match(mac)),
        version=str(block.get("version") or ""),
        lastmodified=str(block.get("lastmodified") or ""),
    )


def _entries(value: Any) -> list[dict[str, Any]]:
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _leaves(node: Any, path: Path_) -> Iterator[EncryptedLeaf]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        match = ENC_VALUE.match(node) if isinstance(node, str) else None
        yield EncryptedLeaf(
            path=path,
            encrypted=match is not None,
            type_tag=match.group("type") if match else None,
            is_empty=node is None or node == "",
        )


def _walk(node: Any, path: Path_) -> Iterator[tuple[Path_, Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))
    else:
        yield path, node


def _restore(enc: Any, dec: Any, path: Path_, encrypted_paths: set[Path_], source: str) -> Any:
    """Walk the encrypted and decrypted trees together (by position: sops keeps order) and type each leaf."""

    def mismatch() -> SecretsFileError:
        return SecretsFileError(
            f"{source}: decrypted structure differs from the file at '{dotted(path) or '<root>'}'", kind="structure"
        )

    if isinstance(enc, dict):
        if not isinstance(dec, dict) or len(dec) != len(enc):
            raise mismatch()
        restored: dict[str, Any] = {}
        for (enc_key, enc_value), (dec_key, dec_value) in zip(enc.items(), dec.items(), strict=True):
            if str(enc_key) != dec_key:
                raise mismatch()
            restored[dec_key] = _restore(enc_value, dec_value, (*path, dec_key), encrypted_paths, source)
        return restored
    if isinstance(enc, list):
        if not isinstance(dec, list) or len(dec) != len(enc):
            raise mismatch()
        return [_restore(e, d, (*path, i), encrypted_paths, source) for i, (e, d) in enumerate(zip(enc, dec, strict=True))]
    match = ENC_VALUE.match(enc) if isinstance(enc, str) else None
    if match is None:
        return dec
    encrypted_paths.add(path)
    return _typed(match.group("type"), dec, mismatch)


def _typed(tag: str, value: Any, mismatch: Any) -> Any:
    if tag == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tag == "time" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    expected: dict[str, type | tuple[type, ...]] = {"str": str, "bytes": str, "int": int, "bool": bool}
    if tag in expected and not isinstance(value, expected[tag]):
        raise mismatch()
    return value


def _checked(value: Any, expected: type[Any], where: str) -> Any:
    def kind(v: Any) -> str:
        return "null" if v is None else type(v).__name__

    if expected is int and isinstance(value, float) and value.is_integer() and abs(value) <= MAX_EXACT_FLOAT_INT:
        return int(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and expected is not bool:
        raise SecretTypeError(f"{where} is a bool, expected {expected.__name__}")
    if expected is dict and isinstance(value, Mapping):
        return value
    if not isinstance(value, expected):
        raise SecretTypeError(
            f"{where} is a {kind(value)}, expected {expected.__name__}",
            hint="the type tag of a sops value is not covered by its MAC: check who changed the file",
        )
    return cast(Any, value)


def _mask(node: Any, path: Path_, encrypted: frozenset[Path_]) -> Any:
    if isinstance(node, Mapping):
        return {k: _mask(v, (*path, k), encrypted) for k, v in node.items()}
    if isinstance(node, list):
        return [_mask(v, (*path, i), encrypted) for i, v in enumerate(node)]
    return MASK if path in encrypted else node
