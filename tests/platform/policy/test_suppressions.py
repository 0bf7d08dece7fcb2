"""policies/suppressions.yaml and policies/unscannable.yaml: strict validation, matching, expiry, unused entries."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml

from platformkit.errors import ConfigErrors
from platformkit.policy.checkov import ScanResult
from platformkit.policy.gate import Policies, build_verdict
from platformkit.policy.suppressions import Suppressions, load_suppressions, load_unscannable
from platformkit.policy.verdict import Outcome, Severities, Severity

REPO = Path(__file__).resolve().parents[3]
ENVIRONMENTS = ["dev", "perf", "prod", "staging"]
TODAY = date(2026, 6, 1)

VALID = """\
suppressions:
  - environment: dev
    check: CKV_AWS_338
    resource: network-flow-logs
    reason: dev keeps flow logs for 30 days to limit cost; prod keeps them a year
    owner: platform-team
    expires: "2026-12-31"
  - environment: "*"
    check: CKV_AWS_18
    resource: "urn:pulumi:*::storage-logs"
    reason: the access-log bucket cannot log to itself without a loop
    owner: platform-team
    expires: "2026-12-31"
"""


def write(tmp_path: Path, text: str, name: str = "suppressions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Suppressions:
    return load_suppressions(write(tmp_path, text), environments=ENVIRONMENTS, shown="policies/suppressions.yaml")


def messages(exc: pytest.ExceptionInfo[ConfigErrors]) -> list[str]:
    return [e.message for e in exc.value.errors]


def test_valid_file_loads_with_line_of_each_entry(tmp_path: Path) -> None:
    loaded = load(tmp_path, VALID)
    assert [e.where for e in loaded.entries] == ["policies/suppressions.yaml:2", "policies/suppressions.yaml:8"]
    first = loaded.entries[0].suppression
    assert (first.environment, first.check, first.resource, first.expires) == (
        "dev",
        "CKV_AWS_338",
        "network-flow-logs",
        date(2026, 12, 31),
    )


def test_missing_file_means_no_suppressions(tmp_path: Path) -> None:
    assert load_suppressions(tmp_path / "absent.yaml").entries == []


ENTRY = {
    "environment": "dev",
    "check": "CKV_AWS_338",
    "resource": "network-flow-logs",
    "reason": "dev keeps flow logs for 30 days to limit cost",
    "owner": "platform-team",
    "expires": "2026-12-31",
}


@pytest.mark.parametrize("field", list(ENTRY))
def test_every_field_is_required(tmp_path: Path, field: str) -> None:
    entry = {k: v for k, v in ENTRY.items() if k != field}
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, yaml.safe_dump({"suppressions": [entry]}))
    assert messages(exc) == [f"policies/suppressions.yaml:2: suppressions[0].{field}: is required but missing"]


def test_errors_name_file_line_and_key_and_suggest_the_misspelt_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, VALID.replace("    owner: platform-team\n", "    ower: platform-team\n", 1))
    found = messages(exc)
    assert "policies/suppressions.yaml:2: suppressions[0].owner: is required but missing" in found
    assert any(
        m.startswith("policies/suppressions.yaml:6: suppressions[0].ower: unknown key; did you mean 'owner'?") for m in found
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("check: CKV_AWS_338", "check: CKV_AWS_*", "must be a Checkov check id such as CKV_AWS_18"),
        ("reason: dev keeps flow logs for 30 days to limit cost; prod keeps them a year", "reason: TODO", "must say why"),
        ("reason: dev keeps flow logs for 30 days to limit cost; prod keeps them a year", "reason: cost", "must say why"),
        ('expires: "2026-12-31"\n  - environment: "*"', 'expires: "2026-13-45"\n  - environment: "*"', "expires"),
        ("environment: dev", "environment: deve", "unknown environment 'deve'; did you mean 'dev'?"),
        (
            'owner: platform-team\n    expires: "2026-12-31"\n  - environment',
            "owner: '  '\n    expires: \"2026-12-31\"\n  - environment",
            "must not be blank",
        ),
    ],
)
def test_invalid_values_are_refused_with_the_reason(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in VALID
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, VALID.replace(old, new, 1))
    assert any(expected in m for m in messages(exc)), messages(exc)
    assert all(m.startswith("policies/suppressions.yaml:") for m in messages(exc))


def test_unquoted_date_is_refused_because_checkov_crashes_on_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, VALID.replace('expires: "2026-12-31"', "expires: 2026-12-31", 1))
    (message,) = messages(exc)
    assert message.startswith("policies/suppressions.yaml:7: suppressions[0].expires: write the date in quotes ('2026-12-31')")


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    first = VALID.split('  - environment: "*"', maxsplit=1)[0]
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, first + first.split("suppressions:\n")[1])
    assert "suppressions[1] repeats suppressions[0]" in messages(exc)[0]


def test_not_yaml_or_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, "suppressions: [\n")
    assert "is not valid YAML" in messages(exc)[0]
    with pytest.raises(ConfigErrors) as exc:
        load(tmp_path, "- a\n- b\n")
    assert "must be a mapping with a 'suppressions' list" in messages(exc)[0]


def test_matching_by_environment_check_and_name_or_urn_glob(tmp_path: Path) -> None:
    loaded = load(tmp_path, VALID)
    urn = "urn:pulumi:prod::platform::platform:storage:Storage$aws:s3/bucket:Bucket::storage-logs"
    assert [e.where for e in loaded.find("dev", "CKV_AWS_338", "network-flow-logs", None)] == ["policies/suppressions.yaml:2"]
    assert loaded.find("prod", "CKV_AWS_338", "network-flow-logs", None) == []  # other environment
    assert loaded.find("dev", "CKV_AWS_158", "network-flow-logs", None) == []  # other check
    assert [e.where for e in loaded.find("prod", "CKV_AWS_18", "storage-logs", urn)] == ["policies/suppressions.yaml:8"]
    assert loaded.find("prod", "CKV_AWS_18", "storage-logs", None) == []  # a URN glob needs a URN
    assert loaded.find("repo", "CKV_AWS_18", "storage-logs", urn) == []  # '*' is every environment, not the repository


# --- applied by the gate -------------------------------------------------------------------


def outcome(env: str, check: str, name: str, status: str = "failed") -> Outcome:
    return Outcome(
        environment=env,
        check_id=check,
        check_name=f"Ensure {check}",
        severity=Severity.MEDIUM,
        status=status,  # type: ignore[arg-type]  # deliberately loose value: the code under test must cope with it
        framework="terraform_plan",
        resource=f"aws_x.{name}",
        scanned_file=f"{env}.tfplan.json",
        name=name,
        urn=f"urn:pulumi:{env}::platform::aws:x/x:X::{name}",
    )


def policies(tmp_path: Path, text: str) -> Policies:
    return Policies(
        suppressions=load(tmp_path, text),
        unscannable=load_unscannable(tmp_path / "none.yaml"),
        severities=Severities(),
        checks_dir=tmp_path,
        known=ENVIRONMENTS,
    )


SCAN = ScanResult(findings=[], reports={}, version="3.3.30", command=[], seconds=0.0)


def test_a_matching_suppression_moves_the_failure_to_suppressed_with_its_reason(tmp_path: Path) -> None:
    verdict = build_verdict(
        target="dev",
        environments=["dev"],
        outcomes=[outcome("dev", "CKV_AWS_338", "network-flow-logs"), outcome("dev", "CKV_AWS_338", "cluster-logs")],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, VALID),
        today=TODAY,
    )
    suppressed, failed = verdict.having("suppressed"), verdict.having("failed")
    assert [o.name for o in suppressed] == ["network-flow-logs"]
    assert suppressed[0].reason and suppressed[0].reason.startswith("dev keeps flow logs")
    assert (suppressed[0].owner, suppressed[0].expires, suppressed[0].suppressed_by) == (
        "platform-team",
        date(2026, 12, 31),
        "policies/suppressions.yaml:2",
    )
    assert [o.name for o in failed] == ["cluster-logs"]
    assert verdict.exit_code == 1


def test_passed_checks_are_not_suppressed_and_a_fully_suppressed_run_passes(tmp_path: Path) -> None:
    verdict = build_verdict(
        target="dev",
        environments=["dev"],
        outcomes=[outcome("dev", "CKV_AWS_338", "network-flow-logs"), outcome("dev", "CKV_AWS_18", "x", "passed")],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, VALID),
        today=TODAY,
    )
    assert verdict.totals() == {"failed": 0, "suppressed": 1, "passed": 1, "skipped": 0}
    assert verdict.exit_code == 0


def test_an_expired_suppression_suppresses_nothing_and_fails_the_gate_naming_it(tmp_path: Path) -> None:
    verdict = build_verdict(
        target="dev",
        environments=["dev"],
        outcomes=[outcome("dev", "CKV_AWS_338", "network-flow-logs")],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, VALID),
        today=date(2027, 1, 1),
    )
    assert verdict.having("suppressed") == []
    assert verdict.exit_code == 1
    assert verdict.errors[0].startswith(
        "policies/suppressions.yaml:2: the suppression of CKV_AWS_338 on network-flow-logs in dev (owner platform-team) "
        "expired on 2026-12-31"
    )


def test_expiry_day_itself_still_counts(tmp_path: Path) -> None:
    verdict = build_verdict(
        target="dev",
        environments=["dev"],
        outcomes=[outcome("dev", "CKV_AWS_338", "network-flow-logs")],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, VALID),
        today=date(2026, 12, 31),
    )
    assert verdict.exit_code == 0 and not verdict.errors


def test_an_expired_suppression_of_an_environment_not_scanned_does_not_fail_this_run(tmp_path: Path) -> None:
    text = VALID.replace("environment: dev", "environment: prod")
    verdict = build_verdict(
        target="dev",
        environments=["dev"],
        outcomes=[],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, text.split('  - environment: "*"')[0]),
        today=date(2027, 1, 1),
    )
    assert verdict.errors == [] and verdict.exit_code == 0


def test_a_suppression_that_matched_nothing_is_reported(tmp_path: Path) -> None:
    verdict = build_verdict(
        target="dev",
        environments=["dev"],
        outcomes=[],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, VALID),
        today=TODAY,
    )
    # The dev entry is judged (dev was scanned); the '*' entry only when every environment was.
    assert verdict.warnings == [
        "policies/suppressions.yaml:2: the suppression of CKV_AWS_338 on network-flow-logs in dev (owner platform-team) "
        "matched no failed check; remove it"
    ]
    assert verdict.exit_code == 0
    everything = build_verdict(
        target="all",
        environments=ENVIRONMENTS,
        outcomes=[],
        not_scanned=[],
        scan=SCAN,
        policies=policies(tmp_path, VALID),
        today=TODAY,
    )
    assert (
        len(everything.warnings) == 2
        and "CKV_AWS_18 on urn:pulumi:*::storage-logs in every environment" in everything.warnings[1]
    )


# --- unscannable types ----------------------------------------------------------------------


def test_unscannable_types_load_with_reasons(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        unscannable:
          - type: aws:eks/accessEntry:AccessEntry
            reason: no Checkov check covers EKS access entries; the parity test pins who gets access
        """,
        "unscannable.yaml",
    )
    loaded = load_unscannable(path, shown="policies/unscannable.yaml")
    assert loaded.reason("aws:eks/accessEntry:AccessEntry") and loaded.reason("aws:x/y:Z") is None
    assert loaded.types["aws:eks/accessEntry:AccessEntry"][1] == "policies/unscannable.yaml:2"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("  - type: aws:eks/accessEntry:AccessEntry\n", "unscannable[0].reason: is required but missing"),
        ("  - type: accessEntry\n    reason: not a token but a reason of words\n", "must be a Pulumi type token"),
        ("  - type: aws:eks/accessEntry:AccessEntry\n    reason: tbd\n", "must say why"),
    ],
)
def test_unscannable_entries_need_a_type_token_and_a_reason(tmp_path: Path, entry: str, expected: str) -> None:
    path = write(tmp_path, "unscannable:\n" + entry, "unscannable.yaml")
    with pytest.raises(ConfigErrors) as exc:
        load_unscannable(path, shown="policies/unscannable.yaml")
    assert any(expected in m for m in messages(exc)), messages(exc)


# --- the repository's own files -------------------------------------------------------------


def test_the_repository_files_are_valid_and_unexpired() -> None:
    loaded = Policies.load(REPO)
    for entry in loaded.suppressions.entries:
        assert entry.suppression.expires >= date.today(), f"{entry.where}: expired; renew or remove it"
    for type_token, (reason, where) in loaded.unscannable.types.items():
        assert reason and type_token, where
