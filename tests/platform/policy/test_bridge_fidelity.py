"""The bridge is faithful: Checkov finds the same on a bridged Pulumi program as on the equivalent Terraform HCL.

The corpus (``corpus/<group>/``: ``program.py`` with ``secure()`` and ``insecure()``, and their HCL twins
``secure/main.tf``, ``insecure/main.tf``) is recorded, bridged and scanned once per side, with the
organisation's checks too (``platformkit.policy.fidelity.compare``). Every finding (check id x resource x
result) must be equal on both sides, except those a group declares in its ``mismatches.yaml`` with the
cause, and every declared one must still occur.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from platformkit.errors import ConfigError, PlatformError
from platformkit.policy.fidelity import (
    FidelityReport,
    KnownMismatch,
    Mismatch,
    attribute_findings,
    compare,
    diff,
    explain,
    load_known_mismatches,
)
from platformkit.policy.gate import GATE_FILES

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(__file__).resolve().parent / "corpus"
VARIANTS = sorted(f"{hcl.parent.name}.{hcl.name}" for hcl in CORPUS.glob("*/*") if hcl.is_dir() and any(hcl.glob("*.tf")))
GROUPS = sorted({v.split(".")[0] for v in VARIANTS})

REQUIRED_TYPES = {
    # What the issue names: S3 and its split resources, KMS, IAM role/policy, security group and rules,
    # VPC and flow log, subnet, EKS cluster and node group, RDS instance and parameter group, ALB/listener,
    # CloudTrail, CloudWatch log group, SNS, SQS, Secrets Manager, EBS volume, ECR, Lambda, DynamoDB,
    # ElastiCache, Backup vault/plan.
    "aws_s3_bucket",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_kms_key",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_security_group",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc",
    "aws_flow_log",
    "aws_subnet",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_db_instance",
    "aws_db_parameter_group",
    "aws_lb",
    "aws_lb_listener",
    "aws_cloudtrail",
    "aws_cloudwatch_log_group",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_secretsmanager_secret",
    "aws_ebs_volume",
    "aws_ecr_repository",
    "aws_lambda_function",
    "aws_dynamodb_table",
    "aws_elasticache_replication_group",
    "aws_backup_vault",
    "aws_backup_plan",
}
BUILT_IN = ("CKV_AWS_", "CKV2_AWS_")


@pytest.fixture(scope="module")
def report() -> FidelityReport:
    """The whole corpus, compared once (two Checkov runs, side by side)."""
    return compare(CORPUS, REPO_ROOT / "policies", exclude_checks=GATE_FILES, project_root=REPO_ROOT)


def test_the_corpus_covers_the_required_types_and_at_least_25(report: FidelityReport) -> None:
    types = set(report.terraform_types)
    assert REQUIRED_TYPES - types == set()
    assert len(types) >= 25


def test_at_least_25_corpus_types_get_results_of_built_in_checks(report: FidelityReport) -> None:
    # A type no built-in check reports on proves less about the bridge (our own checks aside). Split
    # resources (bucket versioning, encryption configuration...) count through the graph checks that
    # follow them, whose results land on the bucket; so the bar is on the count.
    checked = {resource.split(".")[0] for (_, check, resource) in report.bridged if check.startswith(BUILT_IN)}
    assert len(checked) >= 25, sorted(checked)


def test_every_resource_is_scanned_on_both_sides_and_every_type_is_mapped(report: FidelityReport) -> None:
    assert report.unmapped == []
    assert report.resource_differences() == {}
    assert sorted(report.hcl_resources) == VARIANTS


@pytest.mark.parametrize("variant", VARIANTS)
def test_checkov_finds_the_same_on_the_bridged_program_as_on_the_hcl(report: FidelityReport, variant: str) -> None:
    unexplained = [m.describe() for m in report.unexplained if m.variant == variant]
    assert unexplained == []
    assert report.results(variant, "hcl"), "no findings at all: the pair proves nothing"


def test_every_declared_mismatch_still_occurs(report: FidelityReport) -> None:
    assert [k.mismatch.describe() for k in report.stale] == []


def test_declared_mismatches_are_few(report: FidelityReport) -> None:
    compared = set(report.hcl) | set(report.bridged)
    assert len(report.explained) <= len(compared) // 50, [k.mismatch.describe() for k in report.explained]


@pytest.mark.parametrize("group", GROUPS)
def test_the_insecure_variant_fails_built_in_checks_the_secure_one_passes(report: FidelityReport, group: str) -> None:
    def failed(variant: str, result: str) -> set[str]:
        return {
            check for (check, _), r in report.results(f"{group}.{variant}").items() if r == result and check.startswith(BUILT_IN)
        }

    caught = failed("insecure", "failed") & failed("secure", "passed")
    assert len(caught) >= 3, f"{group}: the pair shows only {sorted(caught)}"


def test_the_bridged_side_reports_what_checkov_reports_on_hcl_at_large(report: FidelityReport) -> None:
    # Guard against two empty sides agreeing: both saw failures and passes of many distinct checks.
    for side in (report.hcl, report.bridged):
        checks = {check for (_, check, _), result in side.items() if result == "failed"}
        assert len(checks) >= 40
        assert sum(1 for result in side.values() if result == "passed") >= 100


# --- the comparison itself ------------------------------------------------------------------


def mismatch(check: str = "CKV_AWS_1", hcl: str | None = "failed", bridged: str | None = "passed") -> Mismatch:
    return Mismatch("g.insecure", check, "aws_s3_bucket.x", hcl, bridged)


def test_diff_reports_changed_missing_and_extra_findings_only() -> None:
    hcl = {("v", "A", "r"): "passed", ("v", "B", "r"): "failed", ("v", "C", "r"): "passed"}
    bridged = {("v", "A", "r"): "passed", ("v", "B", "r"): "passed", ("v", "D", "r"): "failed"}
    assert diff(hcl, bridged) == [
        Mismatch("v", "B", "r", "failed", "passed"),
        Mismatch("v", "C", "r", "passed", None),
        Mismatch("v", "D", "r", None, "failed"),
    ]


def test_attribute_paths_are_compared_except_inside_json_documents() -> None:
    hcl = {("v", "aws_sqs_queue.q"): {"name": "value", "redrive_policy": "block", "redrive_policy.maxReceiveCount": "value"}}
    bridged = {("v", "aws_sqs_queue.q"): {"name": "value", "redrive_policy": "json", "kms_master_key_ids": "value"}}
    left, right = attribute_findings(hcl, bridged)
    # jsonencode() is an object to Checkov, a plan's JSON string a string: not the bridge's doing, left out.
    assert left == {("v", "attribute:name", "aws_sqs_queue.q"): "value"}
    assert right == {
        ("v", "attribute:name", "aws_sqs_queue.q"): "value",
        ("v", "attribute:kms_master_key_ids", "aws_sqs_queue.q"): "value",
    }
    assert diff(left, right) == [Mismatch("v", "attribute:kms_master_key_ids", "aws_sqs_queue.q", None, "value")]


def test_explain_sorts_declared_undeclared_and_stale() -> None:
    report = FidelityReport(["g.insecure"], {}, {}, {}, {}, {}, mismatches=[mismatch("A"), mismatch("B")])
    declared = [KnownMismatch(mismatch("A"), "cause"), KnownMismatch(mismatch("C"), "cause")]
    other_variant = KnownMismatch(Mismatch("h.secure", "X", "r", None, "passed"), "not compared this time")
    explain(report, [*declared, other_variant], variants={"g.insecure"})
    assert [k.mismatch.check_id for k in report.explained] == ["A"]
    assert [m.check_id for m in report.unexplained] == ["B"]
    assert [k.mismatch.check_id for k in report.stale] == ["C"]
    assert not report.faithful
    # A declared result must be the one that occurs: the same finding with another result is not explained.
    report = FidelityReport(["g.insecure"], {}, {}, {}, {}, {}, mismatches=[mismatch("A", bridged="error")])
    explain(report, declared[:1], variants={"g.insecure"})
    assert report.unexplained and report.stale


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("variant: x\n", "expected a list of mismatches"),
        ("- just a string\n", "entry 1: expected a mapping"),
        ("- {variant: v, check: C, resource: r, hcl: failed, bridged: passed}\n", "entry 1: missing cause"),
        ("- {variant: v, check: C, resource: r, hcl: failed, bridged: maybe, cause: x}\n", "entry 1.bridged: must be one of"),
        ("- {variant: v, check: C, resource: r, hcl: failed, bridged: null, cause: ''}\n", "entry 1.cause: must say why"),
    ],
)
def test_a_bad_mismatches_file_is_refused_with_its_entry(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "mismatches.yaml").write_text(text)
    with pytest.raises(ConfigError, match=message) as exc:
        load_known_mismatches(tmp_path)
    assert str(tmp_path / "mismatches.yaml") in str(exc.value)


def write_group(root: Path, name: str, body: str, hcl: Callable[[str], str]) -> None:
    group = root / name
    for variant in ("secure", "insecure"):
        (group / variant).mkdir(parents=True)
        (group / variant / "main.tf").write_text(hcl(variant))
    (group / "program.py").write_text(body)


def test_duplicate_resource_names_across_variants_are_refused(tmp_path: Path) -> None:
    program = (
        "import pulumi_aws as aws\n\n"
        "def secure() -> None:\n    aws.sqs.Queue('jobs', name='a')\n\n"
        "def insecure() -> None:\n    aws.sqs.Queue('jobs', name='b')\n"
    )
    write_group(tmp_path, "q", program, lambda v: 'resource "aws_sqs_queue" "jobs" {}\n')
    with pytest.raises(PlatformError, match=r"unique across variants.*aws_sqs_queue.jobs in q.insecure, q.secure"):
        compare(tmp_path, None, project_root=REPO_ROOT)


def test_a_variant_folder_without_its_function_is_refused(tmp_path: Path) -> None:
    write_group(tmp_path, "q", "def secure() -> None:\n    pass\n", lambda v: "")
    with pytest.raises(PlatformError, match=r"no function insecure\(\)"):
        compare(tmp_path, None, project_root=REPO_ROOT)


def test_a_wrong_translation_is_caught(tmp_path: Path) -> None:
    # The HCL says what the program says; a mapping that drops one rename makes the bridged side differ.
    from platformkit.policy.mapping import load_mapping

    program = (
        "import pulumi_aws as aws\n\n"
        "def secure() -> None:\n    aws.rds.Instance('db', engine='postgres', instance_class='db.t4g.micro', publicly_accessible=False)\n\n"
        "def insecure() -> None:\n    aws.rds.Instance('open-db', engine='postgres', instance_class='db.t4g.micro', publicly_accessible=True)\n"
    )
    write_group(
        tmp_path,
        "rds",
        program,
        lambda v: (
            f'resource "aws_db_instance" "{"db" if v == "secure" else "open-db"}" {{\n'
            f'  engine = "postgres"\n  instance_class = "db.t4g.micro"\n  publicly_accessible = {str(v == "insecure").lower()}\n}}\n'
        ),
    )
    faithful = compare(tmp_path, None, project_root=REPO_ROOT)
    assert faithful.faithful, [m.describe() for m in faithful.mismatches]

    real = load_mapping()

    class Camel:
        """The real mapping, except that property names stay Pulumi's (the classic silent bridge bug)."""

        def terraform_type(self, token: str) -> str | None:
            return real.terraform_type(token)

        def to_terraform(self, token: str, inputs: dict[str, object]) -> dict[str, object]:
            return dict(inputs)

    broken = compare(tmp_path, None, project_root=REPO_ROOT, mapping=Camel())
    assert not broken.faithful
    assert Mismatch("rds.insecure", "CKV_AWS_17", "aws_db_instance.open-db", "failed", "passed") in broken.unexplained


def test_a_missing_nested_rename_is_caught_even_when_no_check_reads_it(tmp_path: Path) -> None:
    # No Checkov check reads a DynamoDB index's key schema: the attribute paths still differ.
    from platformkit.policy.mapping import AwsMapping, ResourceMapping, load_mapping

    real = load_mapping()
    table = real.resource("aws:dynamodb/table:Table")
    assert table is not None
    renames = {k: v for k, v in table.renames.items() if k != "globalSecondaryIndexes.keySchemas"}
    broken = AwsMapping({"aws:dynamodb/table:Table": ResourceMapping(table.terraform_type, renames, table.opaque)})
    index = "{'name': 'by-day', 'projection_type': 'KEYS_ONLY', 'key_schemas': [{'attribute_name': 'day', 'key_type': 'HASH'}]}"
    program = "import pulumi_aws as aws\n\n" + "".join(
        f"def {v}() -> None:\n    aws.dynamodb.Table('{v}-t', name='{v}-t', billing_mode='PAY_PER_REQUEST', hash_key='id',"
        f" attributes=[{{'name': 'id', 'type': 'S'}}, {{'name': 'day', 'type': 'S'}}], global_secondary_indexes=[{index}])\n\n"
        for v in ("secure", "insecure")
    )
    hcl = (
        'resource "aws_dynamodb_table" "{v}-t" {{\n  name = "{v}-t"\n  billing_mode = "PAY_PER_REQUEST"\n  hash_key = "id"\n'
        '  attribute {{\n    name = "id"\n    type = "S"\n  }}\n  attribute {{\n    name = "day"\n    type = "S"\n  }}\n'
        '  global_secondary_index {{\n    name = "by-day"\n    projection_type = "KEYS_ONLY"\n'
        '    key_schema {{\n      attribute_name = "day"\n      key_type = "HASH"\n    }}\n  }}\n}}\n'
    )
    write_group(tmp_path, "ddb", program, lambda v: hcl.format(v=v))
    assert compare(tmp_path, None, project_root=REPO_ROOT).faithful
    report = compare(tmp_path, None, project_root=REPO_ROOT, mapping=broken)
    assert {m.check_id for m in report.unexplained} >= {
        "attribute:global_secondary_index.key_schema",
        "attribute:global_secondary_index.key_schemas",
    }
