"""``platform secrets check``: are the secrets files sound, and is no plaintext secret committed?

For every file under ``environments/secrets/``:

1. it is the secrets file of a known environment (``<env>.enc.yaml``) and every environment has one;
2. it is a sops file with a MAC, and decrypts with the identities available (sops verifies the MAC);
3. its recipients are EXACTLY those of the ``.sops.yaml`` creation rule sops picks for it (KMS ARN
   and encryption context, age recipients, nothing else, one key group), and so is its
   encryption scope (only ``*_unencrypted`` keys in clear);
4. no value is in clear except under ``*_unencrypted`` keys (``""`` and ``null`` are never
   encrypted by sops), and no comment is in clear.

Then ``.sops.yaml`` must be exactly what the environment model generates, and no file of the
repository may hold a decrypted value or a secret pattern (see ``scan``). The report names files,
keys and lines, never values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..environment import EnvironmentConfig, load_all
from ..environment.loader import display_path
from ..errors import PlatformError
from .document import EncryptedFile, EncryptionScope, Recipients, SecretsFileError
from .rules import (
    SOPS_CONFIG_FILE,
    CreationRule,
    RulesError,
    environment_of,
    load_rules,
    parse_rules,
    render_rules,
    rule_for,
    secrets_dir,
    secrets_file,
)
from .scan import candidate_files, scan
from .sops import Sops


@dataclass(frozen=True)
class Finding:
    """One problem: where (a file, or file:line) and what is wrong."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class CheckReport:
    """Everything ``check`` found, and what it looked at."""

    findings: list[Finding] = field(default_factory=list)
    secrets_files: list[str] = field(default_factory=list)
    decrypted: list[str] = field(default_factory=list)
    scanned_files: int = 0

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.findings

    def render(self) -> str:
        """A readable report; the last line is the verdict."""
        lines = [
            f"secrets files: {len(self.secrets_files)} ({', '.join(self.secrets_files) or 'none'}); "
            f"decrypted and MAC-verified: {len(self.decrypted)}; files scanned for plaintext: {self.scanned_files}"
        ]
        lines += [f"  FAIL {finding}" for finding in self.findings]
        lines.append("ok: no problems found" if self.ok else f"{len(self.findings)} problem(s) found")
        return "\n".join(lines)


def check_repository(root: Path, sops: Sops, *, environments: dict[str, EnvironmentConfig] | None = None) -> CheckReport:
    """Run every check on the repository at ``root`` (see the module docstring)."""
    envs = environments if environments is not None else load_all(root)
    report = CheckReport()
    expected_rules_text = render_rules(envs)
    rules = _committed_rules(root, expected_rules_text, report)

    folder = secrets_dir(root)
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    present_envs: set[str] = set()
    secret_values: list[object] = []
    for path in files:
        shown = display_path(path, root)
        env_name = environment_of(path)
        if env_name is None or path.parent != folder or env_name not in envs:
            report.findings.append(
                Finding(
                    shown,
                    "not the secrets file of a known environment; secrets files are environments/secrets/<env>.enc.yaml for "
                    f"one of: {', '.join(sorted(envs))}",
                )
            )
            continue
        present_envs.add(env_name)
        report.secrets_files.append(shown)
        secret_values.extend(_check_file(path, shown, rules, sops, report))
    for name in sorted(set(envs) - present_envs):
        report.findings.append(
            Finding(
                display_path(secrets_file(root, name), root),
                f"missing: environment '{name}' has no secrets file (create it with 'platform secrets set {name} KEY')",
            )
        )

    scanned = candidate_files(root)
    report.scanned_files = len(scanned)
    for leak in scan(root, secret_values, files=scanned):
        report.findings.append(Finding(f"{leak.path}:{leak.line}", f"plaintext secret committed: {leak.what}"))
    return report


def _committed_rules(root: Path, expected_text: str, report: CheckReport) -> list[CreationRule]:
    path = root / SOPS_CONFIG_FILE
    try:
        current = path.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current is None:
        report.findings.append(Finding(SOPS_CONFIG_FILE, "missing: generate it with 'platform secrets sync-rules'"))
    elif current != expected_text:
        report.findings.append(
            Finding(
                SOPS_CONFIG_FILE, "stale: differs from what the environment model prescribes; run 'platform secrets sync-rules'"
            )
        )
    try:
        return load_rules(path, shown=SOPS_CONFIG_FILE)
    except RulesError:
        # The problem with the file is reported above; judge the secrets files by what the model prescribes.
        return parse_rules(expected_text)


def _check_file(path: Path, shown: str, rules: list[CreationRule], sops: Sops, report: CheckReport) -> list[object]:
    """Check one secrets file; return its decrypted secret values (for the leak scan) when it decrypts."""
    try:
        encrypted = EncryptedFile.read(path, shown=shown)
    except SecretsFileError as exc:
        report.findings.append(Finding(shown, exc.message.removeprefix(f"{shown}: ")))
        return []
    if not encrypted.metadata.has_mac:
        report.findings.append(Finding(shown, "no MAC: sops cannot verify the file was not altered"))
    rule = rule_for(rules, Path(shown).as_posix())
    if rule is None:
        report.findings.append(Finding(shown, f"no creation rule of {SOPS_CONFIG_FILE} matches this file"))
    else:
        report.findings.extend(Finding(shown, p) for p in _recipient_problems(encrypted.metadata.recipients, rule.recipients))
        expected_scope = EncryptionScope(unencrypted_suffix=rule.unencrypted_suffix)
        if encrypted.metadata.scope != expected_scope:
            report.findings.append(
                Finding(
                    shown,
                    f"encryption scope differs from {SOPS_CONFIG_FILE} (only keys ending '{rule.unencrypted_suffix}' may stay "
                    "in clear; no encrypted/unencrypted regex or suffix overrides, no mac_only_encrypted)",
                )
            )
    suffix = rule.unencrypted_suffix if rule is not None else "_unencrypted"
    for key in encrypted.unencrypted_values(suffix):
        report.findings.append(
            Finding(shown, f"value of '{key}' is not encrypted (added by hand?); set it with 'platform secrets set'")
        )
    for line in encrypted.unencrypted_comments:
        report.findings.append(
            Finding(f"{shown}:{line}", "comment in clear (sops encrypts comments; this one was added by hand)")
        )
    if not encrypted.metadata.has_mac:
        return []
    try:
        document = sops.decrypt(path, shown=shown)
    except PlatformError as exc:
        report.findings.append(Finding(shown, f"does not decrypt: {exc.message.removeprefix(f'{shown}: ')}"))
        return []
    report.decrypted.append(shown)
    return document.secret_values()


def _recipient_problems(actual: Recipients, expected: Recipients) -> list[str]:
    problems = []
    for kind, have, want in (
        ("KMS key", actual.kms, expected.kms),
        ("age recipient", actual.age, expected.age),
        ("other recipient", actual.other, expected.other),
    ):
        for extra in sorted(str(x) for x in set(have) - set(want)):
            problems.append(f"encrypted to a {kind} that {SOPS_CONFIG_FILE} does not prescribe: {extra}")
        for missing in sorted(str(x) for x in set(want) - set(have)):
            problems.append(
                f"not encrypted to the {kind} {SOPS_CONFIG_FILE} prescribes: {missing} (run 'platform secrets updatekeys')"
            )
    if actual.key_groups != expected.key_groups:
        problems.append(f"has {actual.key_groups} key groups; {SOPS_CONFIG_FILE} prescribes {expected.key_groups}")
    return problems
