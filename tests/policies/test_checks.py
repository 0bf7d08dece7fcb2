"""The organisation's checks in policies/: each one against its fixtures, in ONE Checkov run for all of them.

Fixtures live in tests/policies/fixtures/<CheckName>/. A resource named ``pass_*`` / ``pass-*`` must pass
the folder's check, ``fail_*`` / ``fail-*`` must fail it, and any other name (``none_*``) must not be
reported by it. Other checks' results on the same files are not asserted here.
"""

from __future__ import annotations

import ast
import fcntl
import importlib
import importlib.util
import inspect
import json
import keyword
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from platformkit.context import REQUIRED_TAG_KEYS
from platformkit.environment import EnvironmentConfig
from platformkit.graph.model import ResourceGraph

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
README = POLICIES / "README.md"
CHECKOV_TIMEOUT_S = 300

# Checkov's Kubernetes graph adds a Pod vertex for the pod template of these kinds
# (checkov.kubernetes.kubernetes_utils.SUPPORTED_POD_CONTAINERS_TYPES); its resource_count counts them.
KINDS_WITH_NESTED_POD = {
    "Deployment",
    "DeploymentConfig",
    "DaemonSet",
    "Job",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
}


def load_module(path: Path) -> ModuleType:
    """Import a Checkov-free module of policies/ by path (policies/ is not an installed package)."""
    name = f"policies_under_test_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


platcheck_aws = load_module(POLICIES / "aws" / "platcheck_aws.py")
kubernetes_relations = load_module(POLICIES / "kubernetes_relations.py")


# --- the inventory of checks, read from the files (they import Checkov, so they are parsed, not imported) ---


@dataclass(frozen=True)
class CheckFile:
    check_id: str
    name: str
    path: Path
    kind: str  # "python", "yaml" or "gate"

    @property
    def check_name(self) -> str:
        return self.path.stem if self.kind != "gate" else "NamespaceGuardrails"


def _python_check(path: Path) -> CheckFile:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert [c.name for c in classes] == [path.stem], f"{path.name}: exactly one class, named {path.stem}"
    instances = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["check"]
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == path.stem
    ]
    assert len(instances) == 1, f"{path.name}: needs module-level `check = {path.stem}()`"
    keywords = {
        kw.arg: kw.value.value
        for node in ast.walk(classes[0])
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg in {"id", "check_id", "name"} and isinstance(kw.value, ast.Constant)
    }
    check_id = keywords.get("id") or keywords.get("check_id")
    assert isinstance(check_id, str) and isinstance(keywords.get("name"), str), f"{path.name}: literal id= and name= expected"
    return CheckFile(check_id=check_id, name=str(keywords["name"]), path=path, kind="python")


def _yaml_check(path: Path) -> CheckFile:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    metadata = doc["metadata"]
    return CheckFile(check_id=metadata["id"], name=metadata["name"], path=path, kind="yaml")


def check_files() -> list[CheckFile]:
    found = []
    for provider in ("aws", "kubernetes"):
        for path in sorted((POLICIES / provider).iterdir()):
            if path.suffix == ".py" and path.stem[:1].isupper():
                found.append(_python_check(path))
            elif path.suffix in {".yaml", ".yml"}:
                found.append(_yaml_check(path))
    found.append(
        CheckFile(
            check_id=kubernetes_relations.CHECK_ID,
            name=kubernetes_relations.CHECK_NAME,
            path=POLICIES / "kubernetes_relations.py",
            kind="gate",
        )
    )
    return found


CHECKS = check_files()
CHECKOV_CHECKS = [c for c in CHECKS if c.kind != "gate"]


def readme_table() -> dict[str, list[str]]:
    """ID -> cells of its row in policies/README.md's table."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(CKV2?_PLAT_\d{3})`", cells[0]) if line.startswith("|") else None
        if match:
            rows[match.group(1)] = cells
    return rows


def readme_anchors() -> set[str]:
    """GitHub's anchors of the README's headings (lower case, punctuation but - and _ dropped, spaces to -)."""
    anchors = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


# --- the one Checkov run ---


def checkov_command() -> list[str]:
    found = shutil.which("checkov")
    if found is None:
        uv = shutil.which("uv")
        if uv is not None:
            bin_dir = subprocess.run([uv, "tool", "dir", "--bin"], capture_output=True, text=True, check=False).stdout.strip()
            candidate = Path(bin_dir) / "checkov"
            found = str(candidate) if bin_dir and candidate.is_file() else None
    if found is None:
        pytest.fail("Checkov is not installed: run scripts/setup (it installs Checkov as an isolated uv tool)")
    return [found]


def run_checkov() -> str:
    """Checkov's JSON output for every fixture, with only our checks."""
    command = [
        *checkov_command(),
        # Absolute: with a relative -d, Checkov's Kubernetes records get a doubled file_abs_path.
        "-d",
        str(FIXTURES),
        "--framework",
        "terraform_plan",
        "kubernetes",
        # The two check folders rather than policies/ itself: Checkov parses every YAML file below an
        # external checks folder as a graph policy, and policies/ also holds the gate's own YAML files
        # (suppressions, severities), which would only add warnings (or, malformed, crash the run).
        "--external-checks-dir",
        str(POLICIES / "aws"),
        "--external-checks-dir",
        str(POLICIES / "kubernetes"),
        "--check",
        "CKV_PLAT_*,CKV2_PLAT_*",
        "--skip-download",
        "-o",
        "json",
        "--compact",
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=CHECKOV_TIMEOUT_S, check=False)
    assert done.returncode in (0, 1), f"Checkov crashed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="session")
def checkov_reports(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, dict[str, Any]]:
    """Checkov's JSON report per framework, from ONE run per test session.

    Under pytest-xdist every worker has its own session fixtures; the first worker to get here runs
    Checkov and leaves the output in the session's shared temporary folder for the others.
    """
    if worker_id == "master":
        output = run_checkov()
    else:
        shared = tmp_path_factory.getbasetemp().parent
        cache = shared / "policies-checkov.json"
        with (shared / "policies-checkov.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not cache.is_file():
                cache.write_text(run_checkov(), encoding="utf-8")
            output = cache.read_text(encoding="utf-8")
    parsed = json.loads(output)
    reports = parsed if isinstance(parsed, list) else [parsed]
    return {report["check_type"]: report for report in reports}


@dataclass(frozen=True)
class Outcome:
    check_id: str
    result: str
    resource: str
    name: str
    folder: str
    severity: str | None
    guideline: str | None


def outcomes(reports: dict[str, dict[str, Any]]) -> Iterator[Outcome]:
    for report in reports.values():
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in report["results"].get(key, []):
                folder = Path(record["file_abs_path"]).resolve().relative_to(FIXTURES).parts[0]
                yield Outcome(
                    check_id=record["check_id"],
                    result=record["check_result"]["result"],
                    resource=record["resource"],
                    name=record["resource"].rsplit(".", 1)[-1],
                    folder=folder,
                    severity=record.get("severity"),
                    guideline=record.get("guideline"),
                )


def prefixed(names: set[str], prefix: str) -> set[str]:
    return {n for n in names if re.match(rf"{prefix}[_-]", n)}


# --- fixture inventory ---


def plan_resources(path: Path) -> list[dict[str, Any]]:
    def walk(module: dict[str, Any]) -> list[dict[str, Any]]:
        found = list(module.get("resources", []))
        for child in module.get("child_modules", []):
            found += walk(child)
        return found

    return walk(json.loads(path.read_text(encoding="utf-8"))["planned_values"]["root_module"])


def manifests(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(doc, dict)]


def fixture_names(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.iterdir():
        if path.name.endswith(".tfplan.json"):
            names |= {r["name"] for r in plan_resources(path)}
        elif path.suffix in {".yaml", ".yml"}:
            names |= {m["metadata"]["name"] for m in manifests(path)}
    return names


# --- tests ---


def test_checkov_scanned_every_fixture_resource(checkov_reports: dict[str, dict[str, Any]]) -> None:
    plans = sorted(FIXTURES.rglob("*.tfplan.json"))
    docs = [doc for path in sorted(FIXTURES.rglob("*.yaml")) for doc in manifests(path)]
    expected = {
        "terraform_plan": sum(len(plan_resources(path)) for path in plans),
        "kubernetes": len(docs) + sum(1 for doc in docs if doc["kind"] in KINDS_WITH_NESTED_POD and doc["spec"].get("template")),
    }
    assert set(checkov_reports) == set(expected)
    for framework, count in expected.items():
        summary = checkov_reports[framework]["summary"]
        assert summary["parsing_errors"] == 0, checkov_reports[framework]["results"].get("parsing_errors")
        assert summary["resource_count"] == count, (
            f"{framework}: Checkov scanned {summary['resource_count']}, fixtures hold {count}"
        )


def test_only_our_checks_ran(checkov_reports: dict[str, dict[str, Any]]) -> None:
    ran = {o.check_id for o in outcomes(checkov_reports)}
    assert ran == {c.check_id for c in CHECKOV_CHECKS}, "a check never ran (not loaded?) or a foreign check ran"


@pytest.mark.parametrize("check", CHECKOV_CHECKS, ids=lambda c: c.check_id)
def test_check_passes_and_fails_exactly_the_expected_fixtures(
    check: CheckFile, checkov_reports: dict[str, dict[str, Any]]
) -> None:
    folder = FIXTURES / check.check_name
    names = fixture_names(folder)
    mine = [o for o in outcomes(checkov_reports) if o.check_id == check.check_id and o.folder == check.check_name]
    passed = {o.name for o in mine if o.result == "PASSED"}
    failed = {o.name for o in mine if o.result == "FAILED"}
    assert prefixed(names, "pass") and prefixed(names, "fail"), f"{folder.name}: needs pass_* and fail_* fixtures"
    assert passed == prefixed(names, "pass")
    assert failed == prefixed(names, "fail")
    assert len(mine) == len(passed) + len(failed), "a resource was reported twice or skipped"


@pytest.mark.parametrize("check", CHECKOV_CHECKS, ids=lambda c: c.check_id)
def test_results_carry_the_documented_severity_and_guideline(
    check: CheckFile, checkov_reports: dict[str, dict[str, Any]]
) -> None:
    row = readme_table()[check.check_id]
    mine = [o for o in outcomes(checkov_reports) if o.check_id == check.check_id]
    assert mine
    assert {o.severity for o in mine} == {row[3]}
    assert {o.guideline for o in mine} == {f"policies/README.md#{check.check_id.lower()}"}


def test_check_ids_are_unique_and_well_formed() -> None:
    ids = [c.check_id for c in CHECKS]
    assert len(ids) == len(set(ids)), f"duplicate IDs: {sorted(i for i in ids if ids.count(i) > 1)}"
    for check in CHECKS:
        pattern = r"CKV2_PLAT_\d{3}" if check.kind == "yaml" else r"CKV_PLAT_\d{3}"
        assert re.fullmatch(pattern, check.check_id), f"{check.path.name}: {check.check_id}"
        assert check.name.startswith("Ensure "), f"{check.check_id}: name must be an 'Ensure ...' sentence"


def test_check_file_names_are_unique_across_folders() -> None:
    """Checkov imports every file as a module named after the file alone: two equal names would clash."""
    stems = [p.stem for p in POLICIES.rglob("*.py") if p.name != "__init__.py"]
    assert len(stems) == len(set(stems))
    assert all(((p.parent / "__init__.py").is_file()) for p in POLICIES.rglob("*.py"))


def test_every_check_is_documented_and_every_documented_check_exists() -> None:
    table = readme_table()
    assert set(table) == {c.check_id for c in CHECKS}
    anchors = readme_anchors()
    for check in CHECKS:
        assert check.check_id.lower() in anchors, f"README has no '### {check.check_id}' section"
        link = re.search(r"\]\(([^)]+)\)", table[check.check_id][1])
        assert link and (POLICIES / link.group(1)) == check.path, f"{check.check_id}: table links {link}"
        assert table[check.check_id][3] in {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    guidelines = {
        m.group(1) for c in CHECKS for m in [re.search(r"policies/README\.md#([\w-]+)", c.path.read_text(encoding="utf-8"))] if m
    }
    assert guidelines <= anchors


def test_every_check_has_a_fixture_folder_and_every_folder_a_check() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == {c.check_name for c in CHECKS}
    for folder in folders:
        files = [p for p in (FIXTURES / folder).iterdir() if p.name.endswith((".tfplan.json", ".yaml"))]
        assert files, f"{folder}: no fixture"


def test_tag_rules_match_the_naming_context() -> None:
    assert tuple(platcheck_aws.REQUIRED_TAGS) == REQUIRED_TAG_KEYS


def test_strict_environments_exist_and_enable_deletion_protection(environments: dict[str, EnvironmentConfig]) -> None:
    """CKV_PLAT_010 names prod and perf; they must exist, and their settings must satisfy it."""
    assert set(environments) >= platcheck_aws.STRICT_ENVIRONMENTS
    for name in platcheck_aws.STRICT_ENVIRONMENTS:
        assert environments[name].database.deletion_protection, name


MAPPING_FILE = REPO / "platform" / "platformkit" / "policy" / "aws_terraform_mapping.json"


def checkov_python() -> Path:
    """The interpreter of Checkov's own tool environment (from the entry point's shebang)."""
    entry = Path(checkov_command()[0]).resolve()
    shebang = entry.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert shebang.startswith("#!"), f"{entry}: not a script"
    return Path(shebang[2:].strip())


def test_taggable_types_agree_with_the_pulumi_sdk() -> None:
    """CKV_PLAT_001's notion of taggable (Checkov's aws_taggable list) matches pulumi-aws on every mapped type.

    Listed but not taggable in Pulumi: our resources would fail a tag check they cannot satisfy.
    Taggable in Pulumi but not listed: a resource created without tags would go unchecked.
    """
    assert MAPPING_FILE.is_file(), f"{MAPPING_FILE.relative_to(REPO)} is missing: run scripts/gen_aws_terraform_mapping.py"
    code = "import json; from checkov.common.checks_infra.resources_types import resources_types as r; print(json.dumps(r['aws_taggable']))"
    done = subprocess.run([str(checkov_python()), "-c", code], capture_output=True, text=True, timeout=60, check=True)
    listed = set(json.loads(done.stdout)) | {"aws_autoscaling_group"}  # the `tag` blocks, as MandatoryTags reads them
    mismatches = []
    for token, entry in json.loads(MAPPING_FILE.read_text(encoding="utf-8"))["resources"].items():
        module_name, class_name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[-1]
        module_name += "_" if keyword.iskeyword(module_name) else ""  # aws:lambda/... lives in pulumi_aws.lambda_
        cls = getattr(importlib.import_module(f"pulumi_aws.{module_name}"), class_name)
        pulumi_taggable = "tags" in inspect.signature(cls._internal_init).parameters
        if pulumi_taggable != (entry["terraformType"] in listed):
            mismatches.append(f"{token} ({entry['terraformType']}): pulumi {pulumi_taggable}, checkov list {not pulumi_taggable}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(
    ("cidr", "is_open"),
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("::0/0", True),
        (" 0.0.0.0/0 ", True),
        ("10.0.0.0/8", False),
        ("2001:db8::/32", False),
    ],
)
def test_world_networks_are_recognised(cidr: str, is_open: bool) -> None:
    assert platcheck_aws.is_open_to_world(cidr) is is_open


# --- CKV_PLAT_016, run by the gate rather than by Checkov ---


def test_namespace_guardrails_on_the_fixtures() -> None:
    docs = manifests(FIXTURES / "NamespaceGuardrails" / "namespaces.yaml")
    findings = kubernetes_relations.namespace_guardrails(docs)
    names = {doc["metadata"]["name"] for doc in docs if doc["kind"] == "Namespace"}
    assert {f.namespace for f in findings if f.passed} == prefixed(names, "pass")
    assert {f.namespace for f in findings if not f.passed} == prefixed(names, "fail")
    assert all(f.resource == f"Namespace.default.{f.namespace}" for f in findings)
    assert all(f.check_id == "CKV_PLAT_016" and f.severity == readme_table()["CKV_PLAT_016"][3] for f in findings)
    missing = {f.namespace: f.missing for f in findings}
    assert missing["fail-nothing"] == (
        "ResourceQuota (unscoped, with hard limits)",
        "LimitRange",
        "default-deny ingress NetworkPolicy",
        "default-deny egress NetworkPolicy",
    )
    assert missing["fail-ingress-only-deny"] == ("default-deny egress NetworkPolicy",)
    assert missing["pass-complete"] == ()


def test_namespace_guardrails_reads_lists_and_ignores_junk() -> None:
    docs = manifests(FIXTURES / "NamespaceGuardrails" / "namespaces.yaml")
    wrapped = [None, "text", {"apiVersion": "v1", "kind": "List", "items": docs}]
    assert kubernetes_relations.namespace_guardrails(wrapped) == kubernetes_relations.namespace_guardrails(docs)
    assert kubernetes_relations.namespace_guardrails([]) == []


def test_every_environment_namespace_passes_the_guardrails(env_graphs: dict[str, ResourceGraph]) -> None:
    """The Kubernetes baseline of the real program satisfies CKV_PLAT_016 in every environment."""
    for env, graph in env_graphs.items():
        objects = [r.inputs for r in graph.resources if r.custom and r.type.startswith("kubernetes:") and "kind" in r.inputs]
        findings = kubernetes_relations.namespace_guardrails(objects)
        assert findings, f"{env}: no namespace found"
        assert [f for f in findings if not f.passed] == [], env
