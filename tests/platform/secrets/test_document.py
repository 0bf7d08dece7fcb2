"""Key paths, the encrypted-file reader and the decrypted document: never a value in a repr or an error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from platformkit.secrets import MASK, EncryptedFile, SecretTypeError
from platformkit.secrets.document import ENC_VALUE, SecretsDocument, typed_document
from platformkit.secrets.keypath import KeyPathError, parse_key_path, sops_index

CANARY = "canary-7Hq2-not-a-real-secret"


def enc(type_tag: str) -> str:
    return f"ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC==,type:{type_tag}]"


ENCRYPTED = f"""\
db:
    admin_email: {enc("str")}
    port: {enc("float")}
    rotated: {enc("time")}
    note_unencrypted: public
    empty: ""
    nothing: null
list:
    - {enc("str")}
on: {enc("bool")}
sops:
    age:
        - recipient: age1hxqf8c6u3j93fnyecxv45xjqcgap2e5g3zp62e6se5md739sac7qgev055
          enc: x
    mac: {enc("str")}
    unencrypted_suffix: _unencrypted
    version: 3.12.2
"""

DECRYPTED = {
    "db": {
        "admin_email": CANARY,
        "port": 5432,
        "rotated": "2024-01-02T03:04:05Z",
        "note_unencrypted": "public",
        "empty": "",
        "nothing": None,
    },
    "list": ["x1"],
    "on": True,
}


@pytest.fixture
def document() -> SecretsDocument:
    return typed_document(EncryptedFile.parse(ENCRYPTED, "yaml", source="s.enc.yaml"), DECRYPTED)


@pytest.mark.parametrize("text", ["", " ", "db..x", ".db", "db.", "db.admin email", 'db["x"]', "db/x", "a.b\n", "x" * 300])
def test_malformed_key_paths_are_refused(text: str) -> None:
    with pytest.raises(KeyPathError):
        parse_key_path(text)


def test_key_paths_parse_and_render_to_sops_index() -> None:
    assert parse_key_path("db.admin_email") == ("db", "admin_email")
    assert parse_key_path("list.0") == ("list", "0")
    assert sops_index(("db", "admin_email")) == '["db"]["admin_email"]'
    assert sops_index(("list", 0)) == '["list"][0]'


def test_leaves_are_typed_by_their_tag_and_clear_values_kept(document: SecretsDocument) -> None:
    assert document.get("db.port") == 5432.0 and isinstance(document.get("db.port"), float)  # type:float
    assert document.get("db.rotated", datetime) == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert document.get("on", bool) is True  # 'on' stays a string key (sops' YAML 1.2), not a boolean
    assert document.get("list.0", str) == "x1"
    assert document.encrypted_paths == {("db", "admin_email"), ("db", "port"), ("db", "rotated"), ("list", 0), ("on",)}


def test_masked_view_hides_only_encrypted_values(document: SecretsDocument) -> None:
    masked = document.masked()
    assert masked["db"]["admin_email"] == MASK and masked["list"] == [MASK]
    assert masked["db"]["note_unencrypted"] == "public" and masked["db"]["empty"] == "" and masked["db"]["nothing"] is None


def test_repr_and_errors_never_show_values(document: SecretsDocument) -> None:
    assert CANARY not in repr(document)
    with pytest.raises(KeyPathError) as unknown:
        document.get("db.missing")
    assert "no key 'db.missing'" in str(unknown.value) and "db.admin_email" in str(unknown.value)
    assert CANARY not in str(unknown.value)
    with pytest.raises(SecretTypeError) as wrong_type:
        document.get("db.admin_email", int)
    assert "db.admin_email is a str, expected int" in str(wrong_type.value) and CANARY not in str(wrong_type.value)
    with pytest.raises(SecretTypeError, match="is a bool, expected int"):
        document.get("on", int)


def test_int_accepts_integral_floats_within_float_precision(document: SecretsDocument) -> None:
    assert document.get("db.port", int) == 5432 and type(document.get("db.port", int)) is int


def test_encrypted_reader_finds_clear_values_comments_and_missing_mac() -> None:
    tampered = ENCRYPTED.replace("db:\n", f"db:\n    added: {CANARY}\n    # hand-written note\n", 1)
    encrypted = EncryptedFile.parse(tampered, "yaml", source="s.enc.yaml")
    assert encrypted.unencrypted_values() == ["db.added"]
    assert encrypted.unencrypted_comments == (3,)
    assert CANARY not in repr(encrypted)
    no_mac = EncryptedFile.parse(ENCRYPTED.replace(f"    mac: {enc('str')}\n", ""), "yaml", source="s")
    assert not no_mac.metadata.has_mac


def test_not_a_sops_file(tmp_path: Path) -> None:
    from platformkit.secrets import SecretsFileError

    path = tmp_path / "x.yaml"
    path.write_text(f"password: {CANARY}\n")
    with pytest.raises(SecretsFileError, match="not a sops-encrypted file") as caught:
        EncryptedFile.read(path)
    assert CANARY not in str(caught.value)


def test_enc_pattern_matches_what_sops_writes() -> None:
    written = "ENC[AES256_GCM,data:a6I=,iv:/v6bx1QkkinM+ZP3aaMyW2lnH5gBm5FAzyioP/rRc58=,tag:eYxLW6ZlKCrHTKIci3gUdw==,type:int]"
    match = ENC_VALUE.match(written)
    assert match is not None and match.group("type") == "int"
    assert ENC_VALUE.match("ENC[AES256_GCM,data:a6I=]") is None
