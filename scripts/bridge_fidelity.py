"""Is the policy bridge faithful? Checkov on the corpus's Pulumi programs (bridged) vs on their Terraform twins.

Usage: uv run python scripts/bridge_fidelity.py [GROUP ...] [--json] [--keep DIR]

Re-run it after upgrading pulumi-aws (and regenerating the mapping) or Checkov: it prints, per
variant, how many findings each side has, every disagreement (declared in
tests/platform/policy/corpus/<group>/mismatches.yaml with its cause, or not), and exits 1 when the bridge
is not faithful. The test suite asserts the same (tests/platform/policy/test_bridge_fidelity.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from platformkit.errors import PlatformError
from platformkit.policy.fidelity import ATTRIBUTE_PREFIX, FidelityReport, compare
from platformkit.policy.gate import GATE_FILES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "platform" / "policy" / "corpus"


def _counts(report: FidelityReport, variant: str, side: str) -> str:
    results = {k: r for k, r in report.results(variant, side).items() if not k[0].startswith(ATTRIBUTE_PREFIX)}
    failed = sum(1 for r in results.values() if r == "failed")
    return f"{len(results):4d} findings {failed:3d} failed"


def _print(report: FidelityReport) -> None:
    print(f"{'variant':28s} {'HCL':>25s}   {'bridged':>25s}")
    for variant in report.variants:
        print(f"{variant:28s} {_counts(report, variant, 'hcl'):>25s}   {_counts(report, variant, 'bridged'):>25s}")
    builtin = {check for (_, check, _) in report.bridged if check.startswith(("CKV_AWS", "CKV2_AWS"))}
    print(f"\nAWS resource types: {len(report.terraform_types)}; distinct built-in AWS checks with a result: {len(builtin)}")
    keys = set(report.hcl) | set(report.bridged)
    differing = {m.key() for m in report.mismatches}
    for label, is_attribute in (("check results", False), ("attribute paths", True)):
        compared = {k for k in keys if k[1].startswith(ATTRIBUTE_PREFIX) == is_attribute}
        print(f"{label} compared: {len(compared)}; equal: {len(compared - differing)}")
    for variant, (only_hcl, only_bridged) in sorted(report.resource_differences().items()):
        print(f"SCANNED DIFFERENTLY {variant}: only in HCL {sorted(only_hcl)}, only bridged {sorted(only_bridged)}")
    for item in report.unmapped:
        print(f"UNMAPPED {item}")
    for known in report.explained:
        print(f"declared  {known.mismatch.describe()}")
    for mismatch in report.unexplained:
        print(f"MISMATCH  {mismatch.describe()}")
    for known in report.stale:
        print(f"STALE     {known.mismatch.describe()} (declared in mismatches.yaml, did not occur)")
    timing = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in report.seconds.items())
    print(f"\n{'faithful' if report.faithful else 'NOT FAITHFUL'} ({timing})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help="corpus groups (folders) to compare; default: all")
    parser.add_argument("--json", action="store_true", help="print the disagreements as JSON")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the scanned files (DIR/bridged, DIR/hcl)")
    args = parser.parse_args(argv)
    try:
        report = compare(
            CORPUS,
            ROOT / "policies",
            groups=args.groups or None,
            exclude_checks=GATE_FILES,
            project_root=ROOT,
            keep_dir=args.keep,
        )
    except PlatformError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        rows = [dataclasses.asdict(m) | {"declared": m not in report.unexplained} for m in report.mismatches]
        print(json.dumps({"faithful": report.faithful, "mismatches": rows, "types": sorted(report.terraform_types)}, indent=1))
    else:
        _print(report)
    return 0 if report.faithful else 1


if __name__ == "__main__":
    sys.exit(main())
