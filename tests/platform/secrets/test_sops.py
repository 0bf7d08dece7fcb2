"""The sops wrapper against the real binary: golden files, age and KMS round trips, tampering, keys, failures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from platformkit.secrets import INSTALL_HINT, SecretTypeError, Sops, SopsError, SopsFailure
from platformkit.secrets.emulator import KmsEmulator
from platformkit.secrets.keypath import KeyPathError, parse_key_path
from platformkit.secrets.sops import failure_for

CANARY = "canary-Zq8v-not-a-real-secret"


def getsops_identity(shared: Path) -> Path:
    return shared / "getsops-sops_age_keys.txt"


def new_age_identity(folder: Path) -> tuple[Path, str]:
    """A fresh age identity made by Debian's age-keygen (the sops binary must interoperate with it)."""
    path = folder / "identity.agekey"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    recipient = re.search(r"public key: (age1\w+)", path.read_text())
    assert recipient is not None
    return path, recipient.group(1)


def write_config(folder: Path, *, age: list[str] | None = None, kms: list[tuple[str, dict[str, str]]] | None = None) -> Path:
    group: dict[str, object] = {}
    if kms:
        group["kms"] = [{"arn": arn, "context": ctx} for arn, ctx in kms]
    if age:
        group["age"] = age
    config = folder / ".sops.yaml"
    config.write_text(yaml.safe_dump({"creation_rules": [{"path_regex": r"\.enc\.(yaml|json)$", "key_groups": [group]}]}))
    return config


# --- golden files -------------------------------------------------------------------------------

# gen-plain_types.yaml as YAML 1.2 (sops' reading) after the sops round trip. Where PyYAML (YAML 1.1)
# reads the plaintext differently, sops' meaning is the right one: 'yes' is a string, 0o17 is 15,
# 1.0e21 is a float. sops turns a date into a timestamp at midnight UTC (it has no date type).
EXPECTED_YAML_FIXTURE = {
    "str": "hello",
    "empty": "",
    "nulled": None,
    "int": 42,
    "zero": 0,
    "neg": -7,
    "big": 9007199254740993,
    "float": 1.5,
    "floatint": 2.0,
    "sci": 1.0e21,
    "small": 0.000001,
    "booltrue": True,
    "boolyes": "yes",
    "date": datetime(2024, 1, 2, tzinfo=UTC),
    "ts": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    "hex": 31,
    "octal": 15,
    "multiline": "line1\nline2\n",
    "list": ["a", 1, False, {"nested": "x", "other": "y"}],
    "nested": {"deep": {"v": 1}, "secret_unencrypted": "plain", "sub_unencrypted": {"x": "still plain"}},
    "unicode": "héllo ☃",
}


def leaves(tree: object, path: tuple[object, ...] = ()) -> list[tuple[tuple[object, ...], object]]:
    if isinstance(tree, dict):
        return [leaf for k, v in tree.items() for leaf in leaves(v, (*path, k))]
    if isinstance(tree, list):
        return [leaf for i, v in enumerate(tree) for leaf in leaves(v, (*path, i))]
    return [(path, tree)]


def test_golden_yaml_decrypts_to_exactly_its_plaintext_types_included(shared_fixtures: Path) -> None:
    sops = Sops.locate(age_identities=(getsops_identity(shared_fixtures),))
    document = sops.decrypt(shared_fixtures / "gen-sops3.12.2_age_types.enc.yaml")
    assert document.data == EXPECTED_YAML_FIXTURE
    actual, expected = leaves(document.data), leaves(EXPECTED_YAML_FIXTURE)
    assert [(p, type(v)) for p, v in actual] == [(p, type(v)) for p, v in expected]
    assert list(document.data) == list(EXPECTED_YAML_FIXTURE)  # order kept
    # The plaintext itself, read by PyYAML, agrees everywhere YAML 1.1 and 1.2 agree.
    plain = yaml.safe_load((shared_fixtures / "gen-plain_types.yaml").read_text())
    differing = {k for k in plain if plain[k] != EXPECTED_YAML_FIXTURE[k] or type(plain[k]) is not type(EXPECTED_YAML_FIXTURE[k])}
    assert differing == {"sci", "boolyes", "octal", "date"}
    # Clear values were clear in the file; every other non-empty leaf was encrypted.
    assert ("nested", "secret_unencrypted") not in document.encrypted_paths
    assert ("big",) in document.encrypted_paths and ("empty",) not in document.encrypted_paths
    assert document.get("big", int) == 2**53 + 1


def test_golden_json_decrypts_to_its_plaintext_as_sops_stores_json_numbers(shared_fixtures: Path) -> None:
    sops = Sops.locate(age_identities=(getsops_identity(shared_fixtures),))
    document = sops.decrypt(shared_fixtures / "gen-sops3.12.2_age_types.enc.json")
    plain = __import__("json").loads((shared_fixtures / "gen-plain_types.json").read_text())
    for key in ("s", "b", "n", "e", "o"):
        assert document.data[key] == plain[key] and type(document.data[key]) is type(plain[key])
    # sops' JSON store reads every number as a 64-bit float (type:float in the file): equal values,
    # float type; an integer beyond 2**53 was already rounded by sops when the file was encrypted.
    assert document.data["i"] == 25.0 and isinstance(document.data["i"], float)
    assert document.data["f"] == 25.0 and document.data["g"] == 1e21
    assert document.data["l"] == [1.0, "x", {"k": 2.5}]
    assert document.data["big"] == float(plain["big"]) and document.data["big"] != plain["big"]
    assert document.get("i", int) == 25 and type(document.get("i", int)) is int


def test_file_without_mac_is_refused_before_sops_runs(shared_fixtures: Path, tmp_path: Path) -> None:
    never_runs = Sops(binary=tmp_path / "no-sops-here")
    with pytest.raises(SopsError) as caught:
        never_runs.decrypt(shared_fixtures / "getsops-sops_functional-tests_no_mac.yaml")
    assert caught.value.failure is SopsFailure.MAC_NOT_FOUND
    assert "no MAC" in str(caught.value)


def test_sops_own_no_mac_and_mac_not_found_exits_map_to_the_no_mac_message() -> None:
    for code, stderr in ((51, b"MAC mismatch. File has no MAC, computed ABC"), (52, b"")):
        error = failure_for(code, stderr, "f.enc.yaml")
        assert error.failure is SopsFailure.MAC_NOT_FOUND and "no MAC" in error.message


# --- age ---------------------------------------------------------------------------------------

ROUND_TRIP = {
    "db": {"admin_email": "dba@example.invalid", "port": 5432, "ratio": 0.25, "whole": 3.0, "tls": True},
    "big": 2**53 + 1,
    "nothing": None,
    "empty": "",
    "pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "list": ["a", 2, {"k": "v"}],
    "public_unencrypted": "readable",
    "unicode": "pässwörd ☃",
}


def test_age_round_trip_through_the_real_binary(tmp_path: Path) -> None:
    identity, recipient = new_age_identity(tmp_path)
    config = write_config(tmp_path, age=[recipient])
    target = tmp_path / "x.enc.yaml"
    Sops.locate(config=config).encrypt_new(target, ROUND_TRIP)
    text = target.read_text()
    assert "dba@example.invalid" not in text and "readable" in text
    document = Sops.locate(age_identities=(identity,)).decrypt(target)
    assert document.data == ROUND_TRIP
    assert [(p, type(v)) for p, v in leaves(document.data)] == [(p, type(v)) for p, v in leaves(ROUND_TRIP)]
    assert document.metadata.recipients.age == {recipient} and not document.metadata.recipients.kms


def test_set_stores_through_stdin_and_keeps_types_sops_can_keep(tmp_path: Path) -> None:
    identity, recipient = new_age_identity(tmp_path)
    config = write_config(tmp_path, age=[recipient])
    target = tmp_path / "x.enc.yaml"
    sops = Sops.locate(config=config, age_identities=(identity,))
    sops.encrypt_new(target, {"db": {"admin_email": "old@example.invalid"}})
    sops.set(target, parse_key_path("db.admin_email"), CANARY)
    sops.set(target, parse_key_path("db.port"), 5433)
    sops.set(target, parse_key_path("grafana.admin_password"), "s3cr3t-value")
    sops.set(target, parse_key_path("flags.enabled"), True)
    assert CANARY not in target.read_text()
    document = sops.decrypt(target)
    assert document.get("db.admin_email", str) == CANARY
    assert document.get("db.port", int) == 5433  # sops stores JSON numbers as floats; int() is exact below 2**53
    assert document.get("flags.enabled", bool) is True
    assert document.get("grafana.admin_password", str) == "s3cr3t-value"
    with pytest.raises(SopsError, match=r"2\*\*53"):
        sops.set(target, parse_key_path("db.huge"), 2**53 + 1)
    with pytest.raises(KeyPathError, match="holds a value, not a section"):
        sops.set(target, parse_key_path("db.admin_email.deeper"), "x")
    with pytest.raises(KeyPathError, match="is a section"):
        sops.set(target, parse_key_path("db"), "x")


# --- AWS KMS (moto server) --------------------------------------------------------------------


def test_kms_round_trip_with_encryption_context(kms: KmsEmulator, tmp_path: Path) -> None:
    account, region = "210987654321", "eu-west-1"
    kms.create_key(account, region, "alias/roundtrip-secrets")
    arn = f"arn:aws:kms:{region}:{account}:alias/roundtrip-secrets"
    context = {"environment": "roundtrip", "purpose": "platform-secrets"}
    config = write_config(tmp_path, kms=[(arn, context)])
    target = tmp_path / "x.enc.yaml"
    as_account = kms.sops_env(account, region)
    Sops.locate(config=config, env=as_account).encrypt_new(target, {"db": {"admin_email": CANARY, "port": 5432}})

    document = Sops.locate(env=as_account).decrypt(target)  # KMS only: no age identity at all
    assert document.get("db.admin_email", str) == CANARY and document.get("db.port", int) == 5432
    (recipient,) = document.metadata.recipients.kms
    assert recipient.arn == arn and dict(recipient.context) == context

    # The context is not under the MAC, but KMS binds it to the wrapped data key: another one is refused.
    wrong = tmp_path / "wrong-context.enc.yaml"
    wrong.write_text(target.read_text().replace("purpose: platform-secrets", "purpose: something-else"))
    with pytest.raises(SopsError) as caught:
        Sops.locate(env=as_account).decrypt(wrong)
    assert caught.value.failure is SopsFailure.NO_KEY
    assert "wrong key or encryption context" in str(caught.value) and CANARY not in str(caught.value)

    # Another account's credentials cannot use this account's key.
    with pytest.raises(SopsError) as other:
        Sops.locate(env=kms.sops_env("123123123123", region)).decrypt(target)
    assert other.value.failure is SopsFailure.NO_KEY and "KMS key or alias not found" in str(other.value)


def test_encrypting_to_an_unreachable_kms_key_fails_clearly(tmp_path: Path) -> None:
    config = write_config(tmp_path, kms=[("arn:aws:kms:eu-west-1:111111111111:alias/nowhere", {"a": "b"})])
    sops = Sops.locate(
        config=config,
        env={
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "y",
            "AWS_MAX_ATTEMPTS": "1",
        },
    )
    with pytest.raises(SopsError) as caught:
        sops.encrypt_new(tmp_path / "x.enc.yaml", {"k": CANARY})
    assert caught.value.failure is SopsFailure.NO_ENCRYPTION_KEY
    assert "KMS endpoint unreachable" in str(caught.value) and CANARY not in str(caught.value)
    assert not (tmp_path / "x.enc.yaml").exists()


# --- the repository's sample files ------------------------------------------------------------


@pytest.mark.parametrize("env_name", ["dev", "perf", "prod", "staging"])
def test_each_sample_decrypts_with_its_own_identity_only(
    env_name: str, sops_for: Callable[..., Sops], repo_root: Path, assert_no_secrets: Callable[..., None]
) -> None:
    path = repo_root / "environments" / "secrets" / f"{env_name}.enc.yaml"
    document = sops_for(env_name).decrypt(path)
    assert isinstance(document.get("db.admin_email", str), str)
    assert isinstance(document.get("grafana.admin_password", str), str)
    assert isinstance(document.get("alerting.slack_webhook_url", str), str)
    for other in {"dev", "perf", "prod", "staging"} - {env_name}:
        with pytest.raises(SopsError) as caught:
            sops_for(other).decrypt(path)
        assert caught.value.failure is SopsFailure.NO_KEY
        assert "this identity is not a recipient" in str(caught.value)
        assert_no_secrets(str(caught.value))


# --- tampering, keys, binary ------------------------------------------------------------------


def copy_sample(repo_root: Path, tmp_path: Path, env_name: str = "dev") -> Path:
    target = tmp_path / f"{env_name}.enc.yaml"
    shutil.copy(repo_root / "environments" / "secrets" / f"{env_name}.enc.yaml", target)
    return target


def value_line(text: str, key: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(f"{key}:"))


def test_one_altered_value_is_refused_with_the_integrity_message(
    repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops], assert_no_secrets: Callable[..., None]
) -> None:
    target = copy_sample(repo_root, tmp_path)
    text = target.read_text()
    line = value_line(text, "admin_password")
    data_start = line.index("data:") + 5
    flipped = line[:data_start] + ("A" if line[data_start] != "A" else "B") + line[data_start + 1 :]
    target.write_text(text.replace(line, flipped))
    with pytest.raises(SopsError) as caught:
        sops_for("dev").decrypt(target)
    assert caught.value.failure is SopsFailure.VALUE_TAMPERED
    assert "integrity check failed" in str(caught.value) and "MAC" in str(caught.value)
    assert_no_secrets(str(caught.value))


def test_a_value_rolled_back_to_an_older_version_is_refused_as_mac_mismatch(
    repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops], assert_no_secrets: Callable[..., None]
) -> None:
    target = copy_sample(repo_root, tmp_path)
    old_line = value_line(target.read_text(), "admin_password")
    sops_for("dev").set(target, parse_key_path("grafana.admin_password"), "a-newer-password-value")
    new_text = target.read_text()
    target.write_text(
        new_text.replace(value_line(new_text, "admin_password"), old_line)
    )  # authentic ciphertext, old MAC no longer matches
    with pytest.raises(SopsError) as caught:
        sops_for("dev").decrypt(target)
    assert caught.value.failure is SopsFailure.MAC_MISMATCH
    assert "MAC mismatch" in str(caught.value)
    assert_no_secrets(str(caught.value), extra=["a-newer-password-value"])


def test_a_value_added_in_clear_is_refused_and_never_echoed(
    repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops]
) -> None:
    target = copy_sample(repo_root, tmp_path)
    text = target.read_text()
    target.write_text(text.replace("db:\n", f"db:\n    added_by_hand: {CANARY}\n", 1))
    with pytest.raises(SopsError) as caught:
        sops_for("dev").decrypt(target)
    assert caught.value.failure is SopsFailure.VALUE_TAMPERED
    assert CANARY not in str(caught.value)
    # sops' own error output does echo it: the reason it is never shown.
    done = subprocess.run(
        ["sops", "decrypt", str(target)],
        capture_output=True,
        env={**os.environ, "SOPS_AGE_KEY_FILE": str(repo_root / "tests" / "fixtures" / "age" / "dev.agekey")},
        check=False,
    )
    assert CANARY.encode() in done.stderr


def test_sanitiser_keeps_only_key_identifiers_and_fixed_reasons() -> None:
    stderr = (
        "Failed to get the data key required to decrypt the SOPS file.\n\nGroup 0: FAILED\n"
        "  age1hxqf8c6u3j93fnyecxv45xjqcgap2e5g3zp62e6se5md739sac7qgev055: FAILED\n"
        f"    - | failed: {CANARY} identity did not match any of the recipients\n"
        f"  {CANARY}: FAILED\n    - | {CANARY}\n"
        f"Error decrypting tree: Input string {CANARY} does not match sops' data format\n"
    ).encode()
    for code in (1, 2, 5, 24, 25, 51, 52, 61, 111, 128, 203, 255):
        error = failure_for(code, stderr, "f.enc.yaml")
        assert CANARY not in str(error), code
    assert "age1hxqf8c6u3j93fnyecxv45xjqcgap2e5g3zp62e6se5md739sac7qgev055: this identity is not a recipient" in str(
        failure_for(128, stderr, "f")
    )


@pytest.mark.parametrize(
    ("code", "failure", "phrase"),
    [
        (128, SopsFailure.NO_KEY, "no usable key"),
        (51, SopsFailure.MAC_MISMATCH, "MAC mismatch"),
        (52, SopsFailure.MAC_NOT_FOUND, "no MAC"),
        (2, SopsFailure.CANNOT_READ, "cannot read"),
        (5, SopsFailure.BAD_CONFIG, ".sops.yaml is invalid"),
        (61, SopsFailure.NO_CONFIG, "no .sops.yaml"),
        (111, SopsFailure.NO_ENCRYPTION_KEY, "could not encrypt the data key"),
        (203, SopsFailure.ALREADY_ENCRYPTED, "already encrypted"),
        (77, SopsFailure.GENERIC, "sops failed (exit 77)"),
    ],
)
def test_each_exit_code_has_one_clear_message(code: int, failure: SopsFailure, phrase: str) -> None:
    error = failure_for(code, b"", "environments/secrets/dev.enc.yaml")
    assert error.failure is failure and phrase in error.message
    assert error.message.startswith("environments/secrets/dev.enc.yaml: ")


def test_no_identity_at_all_says_which_keys_were_tried(repo_root: Path, tmp_path: Path) -> None:
    with pytest.raises(SopsError) as caught:
        Sops.locate().decrypt(copy_sample(repo_root, tmp_path))
    message = str(caught.value)
    assert caught.value.failure is SopsFailure.NO_KEY
    assert "no age identity available" in message and "arn:aws:kms:eu-west-1:111111111111:alias/acme-dev-secrets" in message
    assert "SOPS_AGE_KEY_FILE" in message  # the hint


def test_missing_binary_gives_the_install_hint(tmp_path: Path) -> None:
    with pytest.raises(SopsError) as caught:
        Sops.locate(search_path=str(tmp_path))
    assert caught.value.failure is SopsFailure.BINARY_MISSING
    assert INSTALL_HINT in str(caught.value) and "scripts/setup" in str(caught.value)


def test_a_hanging_sops_is_stopped_by_the_timeout(repo_root: Path, tmp_path: Path) -> None:
    fake = tmp_path / "sops"
    fake.write_text("#!/bin/sh\nsleep 10\n")
    fake.chmod(0o755)
    with pytest.raises(SopsError) as caught:
        Sops(binary=fake, timeout=0.3).decrypt(copy_sample(repo_root, tmp_path))
    assert caught.value.failure is SopsFailure.TIMEOUT and "0.3 seconds" in str(caught.value)


def test_missing_and_non_sops_files_are_refused_clearly(tmp_path: Path) -> None:
    sops = Sops.locate()
    with pytest.raises(SopsError, match="no such file") as missing:
        sops.decrypt(tmp_path / "absent.enc.yaml")
    assert missing.value.failure is SopsFailure.CANNOT_READ
    plain = tmp_path / "plain.yaml"
    plain.write_text(f"password: {CANARY}\n")
    with pytest.raises(SopsError, match="not a sops-encrypted file") as not_sops:
        sops.decrypt(plain)
    assert CANARY not in str(not_sops.value)
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"a: [{CANARY}\n")
    with pytest.raises(SopsError, match="not valid YAML") as invalid:
        sops.decrypt(broken)
    assert CANARY not in str(invalid.value)


def test_decrypting_writes_no_file_anywhere(repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops]) -> None:
    target = copy_sample(repo_root, tmp_path)
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    sops_for("dev", env={"TMPDIR": str(scratch)}).decrypt(target)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert not any(scratch.iterdir())


# --- edit, rotate, updatekeys -----------------------------------------------------------------


def test_edit_refuses_without_a_terminal(repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops]) -> None:
    with pytest.raises(SopsError) as caught:
        sops_for("dev").edit(copy_sample(repo_root, tmp_path), interactive=False)
    assert caught.value.failure is SopsFailure.NOT_INTERACTIVE
    assert "interactive terminal" in str(caught.value) and "platform secrets set" in str(caught.value)


def test_edit_goes_through_the_editor_with_the_plaintext_in_memory(
    repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = copy_sample(repo_root, tmp_path)
    seen = tmp_path / "editor-saw"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$1" > {seen}\nsed -i \'s/^\\(  *admin_user:\\).*/\\1 edited-admin/\' "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("TMPDIR", raising=False)
    assert sops_for("dev").edit(target, interactive=True) is True
    assert sops_for("dev").decrypt(target).get("grafana.admin_user", str) == "edited-admin"
    if Path("/dev/shm").is_dir():
        assert seen.read_text().startswith("/dev/shm/")
    monkeypatch.setenv("EDITOR", "true")
    assert sops_for("dev").edit(target, interactive=True) is False


def test_rotate_gives_a_new_data_key_and_keeps_the_values(
    kms: KmsEmulator, repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops]
) -> None:
    kms.create_key("111111111111", "eu-west-1", "alias/acme-dev-secrets")
    target = copy_sample(repo_root, tmp_path)
    before_text = target.read_text()
    before = sops_for("dev").decrypt(target)
    sops_for("dev", env=kms.sops_env("111111111111", "eu-west-1")).rotate(target)
    after_text = target.read_text()
    assert value_line(after_text, "admin_email") != value_line(before_text, "admin_email")
    assert sops_for("dev").decrypt(target).data == before.data
    assert sops_for("dev").decrypt(target).metadata.recipients == before.metadata.recipients


def test_updatekeys_reencrypts_to_what_the_config_now_names(
    kms: KmsEmulator, repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops]
) -> None:
    target = copy_sample(repo_root, tmp_path, "staging")
    kms.create_key("222222222222", "eu-west-1", "alias/acme-staging-secrets")
    new_identity, new_recipient = new_age_identity(tmp_path)
    text = (repo_root / ".sops.yaml").read_text()
    old_recipient = "age1sj5ywdcvzgtadcf5vnwgjdevrx2hgpldr05kv7nuvgcxd67t0c9qsy28r4"
    config = tmp_path / ".sops.yaml"
    config.write_text(text.replace("(^|/)environments/secrets/", "(^|/)").replace(old_recipient, new_recipient))
    as_staging = kms.sops_env("222222222222", "eu-west-1")
    sops = Sops.locate(
        config=config, env=as_staging, age_identities=(repo_root / "tests" / "fixtures" / "age" / "staging.agekey",)
    )
    assert sops.updatekeys(target) is True
    document = Sops.locate(age_identities=(new_identity,)).decrypt(target)
    assert document.metadata.recipients.age == {new_recipient}
    assert sops.updatekeys(target) is False  # already up to date


def test_type_tags_are_not_trusted_blindly(repo_root: Path, tmp_path: Path, sops_for: Callable[..., Sops]) -> None:
    target = tmp_path / "typed.enc.yaml"
    identity, recipient = new_age_identity(tmp_path)
    Sops.locate(config=write_config(tmp_path, age=[recipient])).encrypt_new(target, {"db": {"port": 5432}})
    target.write_text(target.read_text().replace("type:int]", "type:str]"))  # the tag is not under the MAC
    document = Sops.locate(age_identities=(identity,)).decrypt(target)
    with pytest.raises(SecretTypeError, match=r"db\.port is a str, expected int") as caught:
        document.get("db.port", int)
    assert "5432" not in str(caught.value)
