"""Is the bridge faithful? Checkov's findings on bridged Pulumi programs against its findings on the same infrastructure in HCL.

A corpus is a folder of groups. A group (``s3/``, ``rds/``...) holds ``program.py``, whose functions
named after variants (``secure``, ``insecure``) each declare resources with pulumi-aws, and, for every
variant, a folder ``<variant>/`` with the equivalent Terraform (``*.tf``): the same resources, logical
names equal to the Terraform resource names, the same values, references where the program passes one
resource's output to another. No ``provider`` blocks: the bridge writes no provider configuration.

:func:`compare` records every variant's program under mocks, bridges the graphs, and runs Checkov twice,
concurrently: once over the bridged plans (``terraform_plan``), once over the HCL (``terraform``), both
with the organisation's checks. A finding is a check id x resource address x result per variant; the
two sides must agree exactly, resource sets included (the sentinel check proves which resources each
side scanned), and so must the attribute paths Checkov sees on each resource (a shape probe check,
``CKV_FIDELITY_1``, lists them), so a wrongly named property shows even where no check reads it.
Differences that are Checkov's own behaviour (a check written for HCL only, say) are
declared with their cause in the group's ``mismatches.yaml``; anything else is the bridge's fault.

Checkov's graph spans every file of a run and some Python checks search it by value (a bucket
reference, say), so resource names (per Terraform type) and identifying values such as bucket names
must be unique across the corpus: the first is enforced, the second is the corpus author's care.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ConfigError, PlatformError
from ..graph.model import ResourceGraph
from ..graph.recorder import record_program
from ..messages import read_yaml
from .bridge import PLAN_SUFFIX, IndexEntry, render
from .checkov import DEFAULT_TIMEOUT_SECONDS, ScanResult, external_checks_view, run_checkov
from .mapping import load_mapping
from .terraform_plan import AwsMappingLike

MISMATCHES_FILE = "mismatches.yaml"
PROGRAM_FILE = "program.py"
RESULTS = ("passed", "failed", "skipped", "error", "block", "json", "value")
"""A finding's result; ``error``: the check raised on the resource (Checkov logged it and reported nothing).
An ``attribute:<path>`` finding says Checkov sees that attribute on the resource, and its kind: ``block``
(objects), ``json`` (a JSON document in a string) or ``value``."""
ATTRIBUTE_PREFIX = "attribute:"
SHAPE_PROBE_ID = "CKV_FIDELITY_1"
SHAPE_PROBE_FILE = "fidelity_shape_probe.py"
SHAPE_PROBE_SOURCE = '''"""Bridge fidelity: reports (as details) every attribute path Checkov sees on an AWS resource."""

import json

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Checkov's own bookkeeping, and HCL meta-arguments a plan never has.
_SKIPPED = {"start_line", "end_line", "references_", "count", "for_each", "depends_on", "provider", "lifecycle", "dynamic"}


def _kind(value):
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, dict) for item in items):
        return "block"
    for item in items:
        if isinstance(item, str) and item.strip()[:1] in ("{", "["):
            try:
                json.loads(item)
                return "json"
            except ValueError:
                pass
    return "value"


def _paths(value, prefix, out):
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not key.startswith("__") and key not in _SKIPPED:
                out.add(f"{prefix}{key} {_kind(item)}")
                _paths(item, prefix + key + ".", out)
    elif isinstance(value, list):
        for item in value:
            _paths(item, prefix, out)


class FidelityShapeProbe(BaseResourceCheck):
    def __init__(self):
        super().__init__(name="Bridge fidelity: attribute paths", id="CKV_FIDELITY_1",
                         categories=[CheckCategories.CONVENTION], supported_resources=["aws_*"])

    def scan_resource_conf(self, conf):
        found = set()
        _paths(conf, "", found)
        self.details.clear()
        self.details.extend(sorted(found))
        return CheckResult.PASSED


check = FidelityShapeProbe()
'''
"""A check that passes everywhere and lists the attribute paths it saw, each with its kind (``block``: holds
objects; ``json``: a JSON document in a string; ``value``): both sides must see the same names."""
ACCOUNT = "123456789012"
"""The account the corpus is recorded in (``corpus_common.py`` builds its ARNs from it)."""
REGION = "eu-west-1"
"""The region the corpus is recorded in."""

FindingKey = tuple[str, str, str]
"""(variant key ``<group>.<variant>``, check id, Checkov resource address)."""


@dataclass(frozen=True)
class Variant:
    """One side-by-side pair: a program function and the folder of its HCL twin."""

    group: str
    name: str
    program: Callable[[], object]
    hcl_dir: Path

    @property
    def key(self) -> str:
        """``<group>.<variant>``: the stack name of its recording and the name of both its scanned files."""
        return f"{self.group}.{self.name}"


@dataclass(frozen=True)
class Mismatch:
    """A finding the two sides disagree on; ``None``: the side has no such finding."""

    variant: str
    check_id: str
    resource: str
    hcl: str | None
    bridged: str | None

    def key(self) -> FindingKey:
        """The finding this is about."""
        return (self.variant, self.check_id, self.resource)

    def describe(self) -> str:
        """One line: where, which check, what each side said."""
        return f"{self.variant}: {self.check_id} on {self.resource}: HCL {self.hcl or 'no result'}, bridged {self.bridged or 'no result'}"


@dataclass(frozen=True)
class KnownMismatch:
    """A declared difference that is Checkov's behaviour, not the bridge's fault."""

    mismatch: Mismatch
    cause: str


@dataclass
class FidelityReport:
    """What :func:`compare` found."""

    variants: list[str]
    terraform_types: dict[str, set[str]]
    """Terraform resource type -> variants declaring it (from the bridged side)."""
    hcl: dict[FindingKey, str]
    bridged: dict[FindingKey, str]
    hcl_resources: dict[str, set[str]]
    """Variant -> addresses Checkov scanned in its HCL."""
    bridged_resources: dict[str, set[str]]
    """Variant -> addresses Checkov scanned in its bridged plan."""
    mismatches: list[Mismatch]
    """Every disagreement, declared or not."""
    unexplained: list[Mismatch] = field(default_factory=list)
    """Disagreements ``mismatches.yaml`` does not declare: the bridge is not faithful there."""
    stale: list[KnownMismatch] = field(default_factory=list)
    """Declared disagreements that did not occur (fixed, or the corpus changed): the list must follow."""
    explained: list[KnownMismatch] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    """``<variant>: <Pulumi type>`` of resources the bridge could not write."""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def faithful(self) -> bool:
        """Every resource scanned on both sides, every disagreement declared, no declaration stale."""
        return not (self.unexplained or self.stale or self.unmapped or self.resource_differences())

    def resource_differences(self) -> dict[str, tuple[set[str], set[str]]]:
        """Variant -> (addresses only in the HCL, only in the bridged plan)."""
        out = {}
        for variant in self.variants:
            hcl, bridged = self.hcl_resources.get(variant, set()), self.bridged_resources.get(variant, set())
            if hcl != bridged:
                out[variant] = (hcl - bridged, bridged - hcl)
        return out

    def results(self, variant: str, side: str = "bridged") -> dict[tuple[str, str], str]:
        """(check id, resource) -> result of one variant on one side."""
        found = self.bridged if side == "bridged" else self.hcl
        return {(check, resource): result for (v, check, resource), result in found.items() if v == variant}


def load_corpus(root: Path, groups: Sequence[str] | None = None) -> list[Variant]:
    """Every variant of the corpus at ``root`` (or of ``groups`` only), in name order."""
    folders = sorted(p for p in root.iterdir() if (p / PROGRAM_FILE).is_file())
    if groups:
        unknown = sorted(set(groups) - {p.name for p in folders})
        if unknown:
            raise PlatformError(
                f"{root}: no corpus group {', '.join(unknown)}", hint="groups: " + ", ".join(p.name for p in folders)
            )
        folders = [p for p in folders if p.name in groups]
    variants = []
    for folder in folders:
        module = _load_module(folder / PROGRAM_FILE, f"platformkit_bridge_corpus_{folder.name}")
        hcl_dirs = sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.tf")))
        if not hcl_dirs:
            raise PlatformError(f"{folder}: no variant folder with Terraform files")
        for hcl_dir in hcl_dirs:
            program = getattr(module, hcl_dir.name, None)
            if not callable(program):
                raise PlatformError(f"{folder / PROGRAM_FILE}: no function {hcl_dir.name}() for the variant {hcl_dir.name}/")
            variants.append(Variant(folder.name, hcl_dir.name, program, hcl_dir))
    return variants


def _load_module(path: Path, name: str) -> Any:
    """Load a group's program; it may import the corpus's shared modules (``corpus_common.py`` beside the groups)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PlatformError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    corpus_root = str(path.parent.parent)
    sys.path.insert(0, corpus_root)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(corpus_root)
    return module


def record_variants(variants: Sequence[Variant], project_root: Path) -> dict[str, ResourceGraph]:
    """Each variant's program recorded under mocks (in this process), keyed by variant key."""
    return {
        v.key: record_program(
            v.program, project="corpus", stack=v.key, account_id=ACCOUNT, region=REGION, project_root=project_root
        )
        for v in variants
    }


def load_known_mismatches(group_dir: Path) -> list[KnownMismatch]:
    """A group's declared disagreements (its ``mismatches.yaml``: a list; none when the file is absent)."""
    path = group_dir / MISMATCHES_FILE
    if not path.is_file():
        return []
    shown = str(path)
    data, _ = read_yaml(path, shown)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(shown, None, "expected a list of mismatches")
    known = []
    for i, item in enumerate(data):
        where = f"entry {i + 1}"
        if not isinstance(item, dict):
            raise ConfigError(shown, where, "expected a mapping")
        missing = [k for k in ("variant", "check", "resource", "hcl", "bridged", "cause") if k not in item]
        if missing:
            raise ConfigError(shown, where, f"missing {', '.join(missing)}")
        sides = {side: item[side] for side in ("hcl", "bridged")}
        for side, value in sides.items():
            if value is not None and value not in RESULTS:
                raise ConfigError(shown, f"{where}.{side}", f"must be one of {', '.join(RESULTS)} or null, not {value!r}")
        if not str(item["cause"] or "").strip():
            raise ConfigError(shown, f"{where}.cause", "must say why the two sides differ")
        mismatch = Mismatch(str(item["variant"]), str(item["check"]), str(item["resource"]), sides["hcl"], sides["bridged"])
        known.append(KnownMismatch(mismatch, str(item["cause"]).strip()))
    return known


def compare(
    corpus: Path,
    checks_dir: Path | None,
    *,
    groups: Sequence[str] | None = None,
    exclude_checks: Sequence[str] = (),
    mapping: AwsMappingLike | None = None,
    project_root: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    keep_dir: Path | None = None,
) -> FidelityReport:
    """Record, bridge and scan every variant of ``corpus``; the findings of both sides and how they differ.

    ``checks_dir``: the organisation's checks (``policies/``), run on both sides; ``exclude_checks``:
    files in it that are not checks (paths relative to it). ``keep_dir``: an empty or absent folder
    to keep what was scanned in (``bridged/``, ``hcl/``), for a closer look at a disagreement.
    """
    variants = load_corpus(corpus, groups)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="platform-bridge-fidelity-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        graphs = record_variants(variants, project_root or corpus)
        bridged = render(graphs, work / "bridged", mapping or load_mapping())
        _require_unique_addresses(bridged.index.entries())
        hcl_root = work / "hcl"
        for v in variants:
            shutil.copytree(v.hcl_dir, hcl_root / v.key, ignore=shutil.ignore_patterns("*.py", "__pycache__", ".*"))
        seconds["record+bridge"] = time.perf_counter() - start

        start = time.perf_counter()
        checks = external_checks_view(checks_dir, work / "checks", exclude=exclude_checks)
        (checks / SHAPE_PROBE_FILE).write_text(SHAPE_PROBE_SOURCE, encoding="utf-8")
        scan_options: dict[str, Any] = {"external_checks_dir": checks, "timeout": timeout, "tolerate_check_errors": True}
        with ThreadPoolExecutor(max_workers=2) as pool:
            plan_job = pool.submit(run_checkov, work / "bridged", ["terraform_plan"], **scan_options)
            hcl_job = pool.submit(run_checkov, hcl_root, ["terraform"], **scan_options)
            plan_scan, hcl_scan = plan_job.result(), hcl_job.result()
        seconds["checkov"] = time.perf_counter() - start
        if keep_dir is not None:
            keep_dir.mkdir(parents=True, exist_ok=True)
            for part in ("bridged", "hcl"):
                shutil.rmtree(keep_dir / part, ignore_errors=True)
                shutil.copytree(work / part, keep_dir / part)

    index = bridged.index
    types: dict[str, set[str]] = {}
    for entry in index.entries():
        types.setdefault(entry.checkov_type, set()).add(entry.stack)
    hcl_attributes, bridged_attributes = attribute_findings(_shapes(hcl_scan, _hcl_variant), _shapes(plan_scan, _plan_variant))
    report = FidelityReport(
        variants=[v.key for v in variants],
        terraform_types=types,
        hcl=_findings(hcl_scan, _hcl_variant) | hcl_attributes,
        bridged=_findings(plan_scan, _plan_variant) | bridged_attributes,
        hcl_resources=_scanned(hcl_scan, _hcl_variant),
        bridged_resources=_scanned(plan_scan, _plan_variant),
        mismatches=[],
        unmapped=[f"{u.stack}: {u.type}" for u in bridged.unmapped],
        seconds=seconds,
    )
    report.mismatches = diff(report.hcl, report.bridged)
    known = [k for group in sorted({v.hcl_dir.parent for v in variants}) for k in load_known_mismatches(group)]
    explain(report, known, variants=set(report.variants))
    return report


def _require_unique_addresses(entries: Sequence[IndexEntry]) -> None:
    # Python checks may search Checkov's whole graph, which spans every file of a run, matching
    # values such as a bucket reference: the same address in two variants lets one see the other.
    variants: dict[str, set[str]] = {}
    for entry in entries:
        variants.setdefault(f"{entry.checkov_type}.{entry.name}", set()).add(entry.stack)
    shared = {address: sorted(stacks) for address, stacks in variants.items() if len(stacks) > 1}
    if shared:
        listing = "; ".join(f"{address} in {', '.join(stacks)}" for address, stacks in sorted(shared.items()))
        raise PlatformError(
            f"corpus resource names must be unique across variants (one Checkov run sees every variant): {listing}",
            hint="name each variant's resources after it, e.g. data / public",
        )


def diff(hcl: Mapping[FindingKey, str], bridged: Mapping[FindingKey, str]) -> list[Mismatch]:
    """Every finding whose result differs between the sides, or that one side lacks, sorted."""
    return [
        Mismatch(*key, hcl.get(key), bridged.get(key))
        for key in sorted(set(hcl) | set(bridged))
        if hcl.get(key) != bridged.get(key)
    ]


def explain(report: FidelityReport, known: Sequence[KnownMismatch], *, variants: set[str]) -> None:
    """Sort ``report.mismatches`` into explained and unexplained; declarations (of scanned variants) that did not occur are stale."""
    declared = {k.mismatch: k for k in known if k.mismatch.variant in variants}
    occurred = set(report.mismatches)
    report.explained = [declared[m] for m in report.mismatches if m in declared]
    report.unexplained = [m for m in report.mismatches if m not in declared]
    report.stale = [k for m, k in declared.items() if m not in occurred]


def _plan_variant(file: str) -> str | None:
    name = PurePosixPath(file).name
    return name[: -len(PLAN_SUFFIX)] if name.endswith(PLAN_SUFFIX) else None


def _hcl_variant(file: str) -> str | None:
    parts = PurePosixPath(file.lstrip("/")).parts
    return parts[0] if len(parts) >= 2 else None


def _findings(scan: ScanResult, variant_of: Callable[[str], str | None]) -> dict[FindingKey, str]:
    found: dict[FindingKey, str] = {}
    # The shape probe's results are attribute paths (see _shapes), not findings.
    results = [(f.file, f.check_id, f.resource, str(f.result)) for f in scan.findings if f.check_id != SHAPE_PROBE_ID]
    results += [(e.file, e.check_id, e.resource, "error") for e in scan.check_errors]
    for file, check_id, resource, result in results:
        variant = variant_of(file)
        if variant is None:
            raise PlatformError(f"Checkov reported a file outside the corpus: {file}")
        key = (variant, check_id, resource)
        # Checkov reports a check once per resource; a second, different result would be a clash worth seeing.
        found[key] = "conflicting" if key in found and found[key] != result else result
    return found


Shapes = dict[tuple[str, str], dict[str, str]]
"""(variant, resource) -> attribute path -> kind, as the shape probe saw them."""


def _shapes(scan: ScanResult, variant_of: Callable[[str], str | None]) -> Shapes:
    shapes: Shapes = {}
    for f in scan.findings:
        variant = variant_of(f.file)
        if f.check_id == SHAPE_PROBE_ID and variant is not None:
            seen = shapes.setdefault((variant, f.resource), {})
            for line in (f.details or "").splitlines():
                path, _, kind = line.rpartition(" ")
                seen[path] = kind
    return shapes


def attribute_findings(hcl: Shapes, bridged: Shapes) -> tuple[dict[FindingKey, str], dict[FindingKey, str]]:
    """Both sides' attribute paths as findings (``attribute:<path>`` -> kind), to be compared like check results.

    One difference is Checkov's, never the bridge's, and is left out: HCL's ``jsonencode({...})`` is an
    object to Checkov, while a plan holds the JSON string (Checkov parses only some types' policies), so
    below an attribute that is a ``block`` on one side and ``json`` on the other, nothing is compared.
    """
    sides: tuple[dict[FindingKey, str], dict[FindingKey, str]] = ({}, {})
    for key in set(hcl) | set(bridged):
        left, right = hcl.get(key, {}), bridged.get(key, {})
        documents = [p for p in set(left) & set(right) if {left[p], right[p]} == {"block", "json"}]
        for side, paths in zip(sides, (left, right), strict=True):
            for path, kind in paths.items():
                if not any(path == d or path.startswith(d + ".") for d in documents):
                    side[(key[0], ATTRIBUTE_PREFIX + path, key[1])] = kind
    return sides


def _scanned(scan: ScanResult, variant_of: Callable[[str], str | None]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for file, resources in scan.scanned.items():
        variant = variant_of(file)
        if variant is not None:
            out.setdefault(variant, set()).update(resources)
    return out
