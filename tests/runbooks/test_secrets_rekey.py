"""secrets-rekey through the real CLI, the real sops binary and moto's KMS, on a copy of the repository.

The copy holds the repository's environments, secrets files, .sops.yaml and runbooks; the CLI runs in it
(``runbook_cli(..., root=copy)``), so the repository's own files are never touched. Decrypted values are
compared in memory, as digests, and never printed (not even by a failing assertion).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformkit.environment import load_all
from platformkit.secrets import EncryptedFile, Sops, SopsError, SopsFailure, write_rules

REPO = Path(__file__).resolve().parents[2]
AGE = REPO / "tests" / "fixtures" / "age"
RUNBOOK = "secrets-rekey"
SECRETS = Path("environments/secrets/dev.enc.yaml")
OLD_RECIPIENT = "age1hxqf8c6u3j93fnyecxv45xjqcgap2e5g3zp62e6se5md739sac7qgev055"
"""dev's test-only break-glass recipient (tests/fixtures/age/dev.agekey): the 'compromised' one."""
ENC = re.compile(r"ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),")


@pytest.fixture(autouse=True)
def isolated_sops(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """sops sees no identity or configuration of the person running the tests."""
    for name in ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_FILE", "SOPS_KMS_ARN"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


def copy_repository(target: Path) -> Path:
    for relative in ("Pulumi.yaml", ".sops.yaml", "environments", "runbooks"):
        source = REPO / relative
        if source.is_dir():
            shutil.copytree(source, target / relative, ignore=shutil.ignore_patterns("__pycache__", ".ansible"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    return target


def sops_env(account: Any) -> dict[str, str | None]:
    return {
        **account.credentials_env(),
        "AWS_REGION": account.env.account.region,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
    }


def digest(document: Any) -> str:
    """A digest of the decrypted tree without the re-key record (compared instead of the values, so no assertion can
    print them)."""
    data = {k: v for k, v in document.data.items() if k != "last_rekey_unencrypted"}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def new_identity(folder: Path) -> tuple[Path, str]:
    path = folder / "new.agekey"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    found = re.search(r"public key: (age1\w+)", path.read_text())
    assert found is not None
    return path, found.group(1)


def ciphertexts(path: Path) -> dict[str, str]:
    """iv -> data of every encrypted value, not the MAC (sops keeps a value's iv when it rotates the data key)."""
    tree = {k: v for k, v in yaml.safe_load(path.read_text()).items() if k != "sops"}
    return {iv: data for data, iv in ENC.findall(yaml.safe_dump(tree, width=1_000_000))}


def kms_blob(path: Path) -> str:
    return str(yaml.safe_load(path.read_text())["sops"]["kms"][0]["enc"])


@pytest.fixture
def compromised(cloud: Any, tmp_path: Path) -> dict[str, Any]:
    """dev seeded in moto; a repository copy whose dev secrets are encrypted to moto's KMS key and the old identity,
    and whose model (and .sops.yaml) now names a new break-glass identity instead of the old one."""
    dev = cloud.seed("dev")
    root = copy_repository(tmp_path / "repo")
    target = root / SECRETS
    setup = Sops.locate(config=root / ".sops.yaml", env=sops_env(dev), age_identities=(AGE / "dev.agekey",))
    setup.rotate(target)  # the sample's KMS blob comes from another emulator: re-encrypt it to this moto's key
    original = digest(setup.decrypt(target))
    identity, recipient = new_identity(tmp_path)
    stack = root / "environments" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace(OLD_RECIPIENT, recipient))
    return {"dev": dev, "root": root, "target": target, "original": original, "identity": identity, "recipient": recipient}


def rekey(*extra: str, label: str = "inc42") -> list[str]:
    return ["run", RUNBOOK, "--env", "dev", "-p", f"label={label}", *extra]


def test_dry_run_changes_nothing_execute_rekeys_and_a_second_run_changes_nothing(
    compromised: dict[str, Any], runbook_cli: Any
) -> None:
    dev, root, target = compromised["dev"], compromised["root"], compromised["target"]
    write_rules(root, load_all(root))
    before_bytes = target.read_bytes()
    before_ciphertexts = ciphertexts(target)
    before_blob = kms_blob(target)

    dry = runbook_cli(rekey(), dev, root=root)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert target.read_bytes() == before_bytes
    assert f"remove recipient age {OLD_RECIPIENT}" in dry.stdout
    assert f"add recipient age {compromised['recipient']}" in dry.stdout
    for step in ("Re-encrypt the data key to the prescribed recipients", "Rotate the data key", "Record the re-key in the file"):
        assert dry.line(step).startswith("would change"), step
    assert f"+age {compromised['recipient']}" in dry.stdout  # the recipients' diff

    done = runbook_cli(rekey("--execute"), dev, root=root)
    assert done.code == 0, done.stdout + done.stderr
    encrypted = EncryptedFile.read(target)
    assert encrypted.metadata.recipients.age == {compromised["recipient"]}
    assert encrypted.tree["last_rekey_unencrypted"].startswith("inc42 ")
    # A new data key: with the same iv and the same plaintext, every value's ciphertext differs.
    after_ciphertexts = ciphertexts(target)
    assert after_ciphertexts.keys() == before_ciphertexts.keys() and len(after_ciphertexts) >= 5
    assert all(after_ciphertexts[iv] != before_ciphertexts[iv] for iv in before_ciphertexts)
    assert kms_blob(target) != before_blob
    # The values are unchanged, and open with the new identity alone and with KMS alone ...
    with_new = Sops.locate(age_identities=(compromised["identity"],), env={"AWS_ACCESS_KEY_ID": None, "AWS_ENDPOINT_URL": None})
    assert digest(with_new.decrypt(target)) == compromised["original"]
    assert digest(Sops.locate(env=sops_env(dev)).decrypt(target)) == compromised["original"]
    # ... but no longer with the compromised one.
    with pytest.raises(SopsError) as refused:
        Sops.locate(age_identities=(AGE / "dev.agekey",), env={"AWS_ACCESS_KEY_ID": None}).decrypt(target)
    assert refused.value.failure is SopsFailure.NO_KEY
    record = done.audit[-1]
    assert record.status == "succeeded"
    assert [s.name for s in record.steps if s.changed] == [
        "Re-encrypt the data key to the prescribed recipients",
        "Rotate the data key",
        "Record the re-key in the file",
    ]
    assert record.outputs["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert record.outputs["values"] == len(before_ciphertexts)
    assert f"git add {SECRETS}" in done.stdout
    after_bytes = target.read_bytes()

    again = runbook_cli(rekey("--execute"), dev, root=root)
    assert again.code == 0, again.stdout + again.stderr
    assert "recipients already as .sops.yaml prescribes" in again.stdout
    assert not any(s.changed for s in again.audit[-1].steps)
    assert target.read_bytes() == after_bytes
    assert (REPO / SECRETS).read_bytes() != after_bytes  # the repository's own file was never touched


def test_a_failure_after_the_rotation_then_resume_rotates_once(
    compromised: dict[str, Any], runbook_cli: Any, fault_proxy: Any
) -> None:
    dev, root, target = compromised["dev"], compromised["root"], compromised["target"]
    write_rules(root, load_all(root))

    def encrypts() -> int:  # KMS Encrypt requests carry the data key in "Plaintext"; Decrypt ones a "CiphertextBlob"
        return sum(1 for c in fault_proxy.calls if b'"Plaintext"' in c.body)

    # sops encrypts the data key to KMS once in updatekeys and once in rotate; the next KMS Decrypt is the first one
    # of the new data key, in "Record the re-key in the file". Lose its reply: without an age identity, sops then
    # has no usable key and the step fails after the rotation.
    fault = fault_proxy.lose_reply("Decrypt", protocol="json")
    fault.matches = lambda call: b'"CiphertextBlob"' in call.body and encrypts() >= 2
    first = runbook_cli(rekey("--execute"), dev, endpoint=fault_proxy.url, root=root)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Rotate the data key").startswith("changed")
    assert first.line("Record the re-key in the file").startswith("FAILED")
    assert "no usable key to decrypt it" in first.stdout
    assert encrypts() == 2
    rotated_blob = kms_blob(target)
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Record the re-key in the file"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url, root=root)
    assert second.code == 0, second.stdout + second.stderr
    assert second.line("Record the re-key in the file").startswith("changed")
    assert encrypts() == 2  # no second rotation, no second updatekeys
    assert kms_blob(target) == rotated_blob  # same data key as after the first run's rotation
    assert EncryptedFile.read(target).tree["last_rekey_unencrypted"].startswith("inc42 ")
    assert digest(Sops.locate(env=sops_env(dev)).decrypt(target)) == compromised["original"]
    assert second.audit[-1].status == "succeeded" and second.audit[-1].from_step == "Record the re-key in the file"


def test_a_stale_sops_config_is_refused_and_changes_nothing(compromised: dict[str, Any], runbook_cli: Any) -> None:
    root, target = compromised["root"], compromised["target"]  # the model changed, .sops.yaml was not regenerated
    before = target.read_bytes()
    result = runbook_cli(rekey("--execute"), compromised["dev"], root=root)
    assert result.code == 1
    assert result.line("Check the secrets file against .sops.yaml").startswith("FAILED")
    assert ".sops.yaml is stale" in result.stdout and "platform secrets sync-rules" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert target.read_bytes() == before
    assert not any(s.changed for s in result.audit[-1].steps)


def test_prod_without_confirmation_refuses_and_changes_nothing(runbook_cli: Any) -> None:
    before = (REPO / "environments/secrets/prod.enc.yaml").read_bytes()
    result = runbook_cli(["run", RUNBOOK, "--env", "prod", "-p", "label=inc42", "--execute"])
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert (REPO / "environments/secrets/prod.enc.yaml").read_bytes() == before
    assert result.audit[-1].status == "refused"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--env", "dev"], ["parameter 'label' is required"]),
        (["--env", "dev", "-p", "label=INC/42"], ["parameter 'label' must match"]),
        (["--env", "qa", "-p", "label=inc42"], ["qa"]),
    ],
    ids=["missing-label", "bad-label", "unknown-environment"],
)
def test_bad_input_is_one_clear_error(runbook_cli: Any, args: list[str], words: list[str]) -> None:
    result = runbook_cli(["run", RUNBOOK, *args])  # no AWS credentials: refused before any AWS call
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.audit == []
