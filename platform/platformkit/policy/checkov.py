"""Run Checkov once over a folder and read its JSON report, failing closed on anything odd.

Checkov lives in its own uv tool environment (it pins an old boto3), so it is never imported
here: it runs as a subprocess, found on ``PATH``, else in ``uv tool dir --bin``
(``$PLATFORM_CHECKOV`` names an executable explicitly). One call costs ~2 s of start-up, so
the gate renders everything first and calls it once.

Checkov's failure modes are mostly silent, so every one of them is an error here
(:class:`CheckovError`, exit code 3: "the scan cannot be trusted", distinct from 1, "the
scan found problems"):

- not installed; exits with anything but 0 (no failed check) or 1 (failed checks), or with
  an exit code that disagrees with the report it printed; runs longer than the timeout;
- prints something that is not its JSON report; logs an ``[ERROR]``, a traceback, or a
  custom YAML check it dropped (a check that does not load is skipped and Checkov carries on).
  One logged error is attributable: a check that raised on one resource ("Failed to run check
  X on file:resource", a Checkov bug) leaves only that pair without a result; with
  ``tolerate_check_errors`` it becomes a :class:`CheckError`, which the gate counts as a
  failure of that check on that resource (:meth:`CheckError.as_failure`);
- reports parsing errors, or did not scan every resource written for it
  (:func:`require_scanned`): a plan file without ``terraform_version``, a plan resource
  without ``mode`` or a Kubernetes object without ``metadata.name`` is skipped without a
  word. Two proofs are required: the resource count of each framework, and a *sentinel*
  check the gate adds (``CKV_PLATGATE_*``, passing on every resource of every type) that
  must report every resource by its id. The sentinel also keeps a framework's report in the
  output when no other check applies to its resources (Checkov drops empty reports, and
  their resource counts with them);
- would read settings from somewhere else: ``CKV_*`` / ``BC_*`` / ``PRISMA_*`` variables are
  removed from its environment and a ``.checkov.yaml`` next to the scan or in ``$HOME`` is
  refused (it could skip checks behind the gate's back; suppressions belong in
  ``policies/suppressions.yaml``).

Passed checks are kept (no ``--quiet``): JUnit lists every check and resource.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from ..errors import PlatformError

CHECKOV_VERSION = "3.3.30"
"""The version ``scripts/setup`` installs; another version is used but named in a warning."""
DEFAULT_TIMEOUT_SECONDS = 300.0
"""Longest a scan may take; a hung Checkov fails the gate rather than blocking CI forever."""
EXECUTABLE_ENV = "PLATFORM_CHECKOV"
"""Environment variable naming the Checkov executable explicitly (CI images, tests)."""
INSTALL_HINT = f"run scripts/setup: it installs Checkov {CHECKOV_VERSION} in its own uv tool environment"
SCRUBBED_ENV_PREFIXES = ("CKV_", "BC_", "PRISMA_")
"""Checkov reads options from these variables (CKV_CHECK runs only some checks, CKV_SKIP_CHECK skips some)."""
CONFIG_FILES = (".checkov.yaml", ".checkov.yml")
CHECK_FILE_SUFFIXES = (".py", ".yaml", ".yml", ".json")
"""What Checkov loads from an external checks folder (Python checks; YAML/JSON graph checks)."""

SENTINEL_IDS = {"kubernetes": "CKV_PLATGATE_1", "terraform_plan": "CKV_PLATGATE_2"}
"""Framework -> id of the gate's sentinel check (see the module docstring); never shown as a finding."""
SENTINEL_FILE = "platform_gate_sentinel.py"
SENTINEL_SOURCE = '''"""The policy gate's sentinel: passes on every resource, so the gate can see what Checkov scanned."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class PlatformGateScannedObject(BaseK8Check):
    def __init__(self):
        super().__init__(
            name="Platform gate: Checkov read this object",
            id="CKV_PLATGATE_1",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_entities=["*"],
        )

    def scan_spec_conf(self, conf):
        return CheckResult.PASSED


class PlatformGateScannedResource(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Platform gate: Checkov read this resource",
            id="CKV_PLATGATE_2",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["*"],
        )

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED


object_check = PlatformGateScannedObject()
resource_check = PlatformGateScannedResource()
'''

Result = Literal["passed", "failed", "skipped"]
_RESULT_KEYS: dict[str, Result] = {"passed_checks": "passed", "failed_checks": "failed", "skipped_checks": "skipped"}


class CheckovError(PlatformError):
    """The scan cannot be trusted: Checkov is missing, failed, or did not look at everything."""

    exit_code = 3


class CheckovMissing(CheckovError):
    """No Checkov executable was found."""


class CheckovCrashed(CheckovError):
    """Checkov exited abnormally or logged errors."""


class CheckovTimeout(CheckovError):
    """Checkov ran longer than the timeout."""


class CheckovOutputError(CheckovError):
    """Checkov's output is not a report we can trust (unparsable, parsing errors)."""


class IncompleteScan(CheckovError):
    """Checkov did not scan every resource written for it."""


@dataclass(frozen=True)
class Finding:
    """One check evaluated on one resource, as Checkov reported it."""

    check_id: str
    check_name: str
    framework: str
    """Checkov's ``check_type``: ``terraform_plan``, ``kubernetes``, ``secrets``..."""
    file: str
    """The scanned file, relative to the scanned folder (``dev.tfplan.json``)."""
    resource: str
    """Checkov's resource id: a plan address (``aws_s3_bucket.x``) or ``Kind.namespace.name``."""
    result: Result
    guideline: str | None = None
    severity: str | None = None
    """A severity the check itself declares (custom checks may); built-in checks have none offline."""
    lines: tuple[int, int] | None = None
    """Lines of the resource in the scanned file."""
    skip_reason: str | None = None
    """Why Checkov skipped the check (e.g. a ``checkov.io/skip`` annotation)."""
    details: str | None = None
    """What exactly is wrong, when the check says (e.g. what a namespace lacks)."""


@dataclass(frozen=True)
class FrameworkReport:
    """Checkov's summary for one framework."""

    framework: str
    resource_count: int
    passed: int
    failed: int
    skipped: int
    parsing_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckError:
    """A check that raised on one resource: Checkov logs it and reports no result for that pair."""

    check_id: str
    file: str
    """As Checkov names it, relative to the scanned folder (``dev.tfplan.json``)."""
    resource: str
    error: str
    """The exception, as the last line of the logged traceback says it."""

    def as_failure(self, framework: str) -> Finding:
        """The error as a failed finding: the result is unknown, so the gate counts it against the resource."""
        return Finding(
            check_id=self.check_id,
            check_name="(the check raised an error on this resource)",
            framework=framework,
            file=self.file,
            resource=self.resource,
            result="failed",
            details=f"Checkov's check raised {self.error}, so its result is unknown and counted as failed "
            "(a Checkov bug: accept it with a suppression naming this check and resource, or change the resource)",
        )


@dataclass(frozen=True)
class ScanResult:
    """What one Checkov call found."""

    findings: list[Finding]
    """Every result except the sentinel's."""
    reports: dict[str, FrameworkReport]
    version: str | None
    command: list[str]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    scanned: dict[str, set[str]] = field(default_factory=dict)
    """File -> resource ids the sentinel check reported (what Checkov certainly read)."""
    check_errors: list[CheckError] = field(default_factory=list)
    """Checks that raised on a resource (only when the scan was asked to tolerate them)."""

    def resources_seen(self, framework: str) -> dict[str, set[str]]:
        """Resource ids with at least one result, per file, for one framework."""
        seen: dict[str, set[str]] = {}
        for f in self.findings:
            if f.framework == framework:
                seen.setdefault(f.file, set()).add(f.resource)
        return seen


# --- finding the executable --------------------------------------------------------------


def find_checkov(env: Mapping[str, str] | None = None) -> Path:
    """The Checkov executable: ``$PLATFORM_CHECKOV``, else ``checkov`` on ``PATH``, else uv's tool bin folder."""
    env = os.environ if env is None else env
    explicit = env.get(EXECUTABLE_ENV)
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise CheckovMissing(f"${EXECUTABLE_ENV} names {explicit}, which is not an executable file", hint=INSTALL_HINT)
        return path
    search_path = env.get("PATH", os.defpath)
    found = shutil.which("checkov", path=search_path)
    if found:
        return Path(found)
    tool_bin = _uv_tool_bin(search_path)
    if tool_bin is not None:
        candidate = tool_bin / "checkov"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    where = f"nor in uv's tool folder {tool_bin}" if tool_bin else "and no uv to ask for its tool folder"
    raise CheckovMissing(f"Checkov is not installed: no 'checkov' on PATH {where}", hint=INSTALL_HINT)


def _uv_tool_bin(search_path: str) -> Path | None:
    uv = shutil.which("uv", path=search_path)
    if uv is None:
        return None
    try:
        done = subprocess.run([uv, "tool", "dir", "--bin"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return Path(text) if done.returncode == 0 and text else None


# --- the checks Checkov is given -----------------------------------------------------------


def external_checks_view(source: Path | None, dest: Path, *, exclude: Collection[str] = ()) -> Path:
    """A folder for ``--external-checks-dir``: symlinks to the check files of ``source`` and the sentinel.

    Checkov loads *every* YAML file below ``--external-checks-dir`` as a check: a file that is
    not one is dropped with a warning, and one holding an unquoted date crashes it (exit 2).
    The gate's own files (``suppressions.yaml``...) live in ``policies/`` too, so Checkov is
    given this view, without ``exclude`` (paths relative to ``source``). Each file is linked on
    its own because Checkov's walk does not follow symlinked folders. ``source`` None: only the
    sentinel.
    """
    view = dest / (source.name if source is not None else "checks")
    view.mkdir(parents=True, exist_ok=True)
    if source is not None:
        # Checkov silently ignores a missing folder, and one without __init__.py loads no Python checks.
        if not source.is_dir():
            raise CheckovError(f"{source}: the custom checks folder does not exist; the organisation's checks would not run")
        if not (source / "__init__.py").is_file():
            raise CheckovError(f"{source}: the custom checks folder has no __init__.py; Checkov would load none of its checks")
        skipped = {PurePosixPath(e) for e in exclude}
        for folder, dirs, files in os.walk(source):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            rel_dir = here.relative_to(source)
            (view / rel_dir).mkdir(parents=True, exist_ok=True)
            for name in sorted(files):
                rel = PurePosixPath(rel_dir.as_posix()) / name
                if rel in skipped or not name.endswith(CHECK_FILE_SUFFIXES) or name.startswith("."):
                    continue
                (view / rel_dir / name).symlink_to((here / name).resolve())
    init = view / "__init__.py"
    if not init.exists():
        init.write_text("", encoding="utf-8")
    (view / SENTINEL_FILE).write_text(SENTINEL_SOURCE, encoding="utf-8")
    return view


# --- running ------------------------------------------------------------------------------


def checkov_command(
    executable: Path,
    target: Path,
    frameworks: Sequence[str],
    *,
    external_checks_dir: Path | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The command line of one scan (also what the benchmark runs to time Checkov alone)."""
    command = [str(executable), "-d", str(target), "--framework", *frameworks]
    command += ["--skip-download", "--output", "json", "--compact"]
    if external_checks_dir is not None:
        command += ["--external-checks-dir", str(external_checks_dir)]
    return [*command, *extra_args]


def checkov_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment Checkov runs with: no ``CKV_*``/``BC_*``/``PRISMA_*`` settings; warnings logged."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith(SCRUBBED_ENV_PREFIXES)}
    env["LOG_LEVEL"] = "WARNING"
    return env


def run_checkov(
    target: Path,
    frameworks: Sequence[str],
    *,
    external_checks_dir: Path | None = None,
    executable: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    extra_args: Sequence[str] = (),
    cwd: Path | None = None,
    tolerate_check_errors: bool = False,
) -> ScanResult:
    """Scan ``target`` once with ``frameworks``; every finding, or a :class:`CheckovError`.

    ``external_checks_dir`` is passed as is: give it an :func:`external_checks_view`. A check that
    raises on a resource leaves no result for it, so it fails the scan, unless
    ``tolerate_check_errors`` (for comparing scans, not for gating): then it is in ``check_errors``.
    """
    target = target.resolve()
    workdir = cwd or target
    _refuse_config_files([target, workdir, Path.home()])
    exe = executable or find_checkov()
    command = checkov_command(exe, target, frameworks, external_checks_dir=external_checks_dir, extra_args=extra_args)
    start = time.perf_counter()
    returncode, stdout, stderr = _run(command, cwd=workdir, timeout=timeout)
    seconds = time.perf_counter() - start
    check_errors = _check_stderr(returncode, stderr, tolerate_check_errors=tolerate_check_errors)
    if returncode not in (0, 1):
        raise CheckovCrashed(
            f"Checkov crashed (exit {returncode}); the scan is not trustworthy{_tail(stderr)}",
            hint="re-run the command by hand to see the whole error: " + " ".join(command),
        )
    findings, reports, version = parse_report(stdout, root=target)
    failed = sum(1 for f in findings if f.result == "failed")
    if (returncode == 1) != (failed > 0):
        raise CheckovCrashed(
            f"Checkov exited {returncode} but reported {failed} failed checks; the exit code and the report disagree"
            f"{_tail(stderr)}"
        )
    broken = {r.framework: r.parsing_errors for r in reports.values() if r.parsing_errors}
    if broken:
        listing = "; ".join(f"{fw}: {', '.join(files)}" for fw, files in sorted(broken.items()))
        raise CheckovOutputError(f"Checkov could not parse files it was given ({listing}); their resources were not checked")
    warnings = []
    if version is not None and version != CHECKOV_VERSION:
        warnings.append(f"Checkov {version} is installed; the gate is tested with {CHECKOV_VERSION} ({INSTALL_HINT})")
    sentinels = set(SENTINEL_IDS.values())
    scanned: dict[str, set[str]] = {}
    for f in findings:
        if f.check_id in sentinels:
            scanned.setdefault(f.file, set()).add(f.resource)
    kept = [f for f in findings if f.check_id not in sentinels]
    return ScanResult(kept, reports, version, command, seconds, warnings, scanned, check_errors)


def _refuse_config_files(folders: Sequence[Path]) -> None:
    for folder in dict.fromkeys(folders):
        for name in CONFIG_FILES:
            if (folder / name).is_file():
                raise CheckovError(
                    f"{folder / name}: Checkov would read settings from this file (it can skip checks behind the gate's back)",
                    hint="remove it; suppressions belong in policies/suppressions.yaml, with a reason, an owner and an expiry",
                )


def _run(command: list[str], *, cwd: Path, timeout: float) -> tuple[int, str, str]:
    try:
        # A session of its own: on timeout the whole process group goes (Checkov forks workers).
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=checkov_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise CheckovMissing(f"cannot run Checkov ({command[0]}): {exc.strerror or exc}", hint=INSTALL_HINT) from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise CheckovTimeout(
            f"Checkov did not finish within {timeout:g} s and was stopped; nothing was checked",
            hint="a scan of the four environments takes a few seconds: look for a hung process or a huge rendered file",
        ) from None
    return proc.returncode, stdout, stderr


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


_STDERR_ALARMS = (
    "[ERROR]",
    "Traceback (most recent call last)",
    # Logged only as warnings, yet each means a custom YAML check was dropped:
    "is missing required fields",
    "Failed to parse check id",
)


_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \[")
_CHECK_ERROR = re.compile(r"Failed to run check (?P<check>\S+) on (?P<file>.+):(?P<resource>[^:\s]+)\s*$")


def _log_records(stderr: str) -> list[list[str]]:
    """Stderr as log records: a timestamped line and the lines (a traceback) that follow it."""
    records: list[list[str]] = []
    for line in stderr.splitlines():
        if _LOG_RECORD.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    return records


def _check_stderr(returncode: int, stderr: str, *, tolerate_check_errors: bool = False) -> list[CheckError]:
    # Checkov logs a custom check that does not load, a check that raises on a resource, or a
    # crashing runner, and carries on without it: its report would look complete.
    check_errors: list[CheckError] = []
    alarms: list[str] = []
    for record in _log_records(stderr):
        bad = [line.strip() for line in record if any(alarm in line for alarm in _STDERR_ALARMS)]
        if not bad:
            continue
        failed_check = _CHECK_ERROR.search(record[0])
        if failed_check is None:
            alarms.append(bad[0])
            continue
        cause = record[-1].strip() if len(record) > 1 else "an error (no traceback)"
        error = CheckError(failed_check["check"], failed_check["file"].lstrip("/"), failed_check["resource"], cause)
        check_errors.append(error)
        if not tolerate_check_errors:
            alarms.append(f"check {error.check_id} raised on {error.resource} ({error.file}): {cause}")
    if alarms and returncode in (0, 1):
        raise CheckovCrashed(
            f"Checkov logged an error, so some checks may not have run: {alarms[0]}{_tail(stderr)}",
            hint="a custom check that fails to load is the usual cause: run its fixture tests (tests/policies); "
            "a built-in check that raises on a resource is Checkov's bug: see policies/README.md",
        )
    return check_errors


def _tail(stderr: str, lines: int = 15) -> str:
    text = "\n".join(stderr.strip().splitlines()[-lines:])
    return f"\n{text}" if text else ""


# --- parsing ------------------------------------------------------------------------------


def parse_report(stdout: str, *, root: Path | None = None) -> tuple[list[Finding], dict[str, FrameworkReport], str | None]:
    """Findings, per-framework summaries and Checkov's version from ``checkov -o json`` output.

    Checkov prints a list of reports, a single report when only one framework found
    something, or a bare summary when nothing was found at all: each is accepted, anything
    else is a :class:`CheckovOutputError`. Files are made relative to ``root`` (the scanned
    folder) when Checkov gives absolute paths.
    """
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError as exc:
        start = stdout.strip()[:200] or "(nothing)"
        raise CheckovOutputError(
            f"Checkov's output is not its JSON report ({exc.msg} at line {exc.lineno}); it began with: {start!r}"
        ) from None
    if isinstance(data, dict) and "check_type" not in data and "resource_count" in data:
        return [], {}, _str_or_none(data.get("checkov_version"))  # nothing found in any framework
    documents = data if isinstance(data, list) else [data]
    findings: list[Finding] = []
    reports: dict[str, FrameworkReport] = {}
    version: str | None = None
    for index, doc in enumerate(documents):
        try:
            framework, report, items = _parse_one(doc, root)
            version = version or _str_or_none(doc["summary"].get("checkov_version"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CheckovOutputError(
                f"Checkov's JSON report is not in the expected shape (report {index}: {exc.__class__.__name__}: {exc})"
            ) from None
        if framework in reports:
            raise CheckovOutputError(f"Checkov's JSON has two reports for the framework {framework}")
        reports[framework] = report
        findings += items
    return findings, reports, version


def _parse_one(doc: Any, root: Path | None) -> tuple[str, FrameworkReport, list[Finding]]:
    framework = str(doc["check_type"])
    summary = doc["summary"]
    results = doc["results"]
    items: list[Finding] = []
    for key, result in _RESULT_KEYS.items():
        for record in results.get(key) or []:
            items.append(_finding(framework, result, record, root))
    errors = results.get("parsing_errors")
    listed = tuple(str(e) for e in errors) if isinstance(errors, list) else ()
    count = int(summary.get("parsing_errors") or 0)
    if count and not listed:
        listed = (f"{count} file(s)",)
    report = FrameworkReport(
        framework=framework,
        resource_count=int(summary["resource_count"]),
        passed=int(summary["passed"]),
        failed=int(summary["failed"]),
        skipped=int(summary["skipped"]),
        parsing_errors=listed,
    )
    return framework, report, items


def _finding(framework: str, result: Result, record: Mapping[str, Any], root: Path | None) -> Finding:
    lines = record.get("file_line_range")
    check_result = record.get("check_result") or {}
    return Finding(
        check_id=str(record["check_id"]),
        check_name=str(record.get("check_name") or record["check_id"]),
        framework=framework,
        file=_relative(str(record["file_path"]), _str_or_none(record.get("file_abs_path")), root),
        resource=str(record["resource"]),
        result=result,
        guideline=_str_or_none(record.get("guideline")),
        severity=_severity(record.get("severity")),
        lines=(int(lines[0]), int(lines[1])) if isinstance(lines, list) and len(lines) == 2 else None,
        skip_reason=_str_or_none(check_result.get("suppress_comment")) if result == "skipped" else None,
        details=_details(record.get("details")),
    )


def _details(value: Any) -> str | None:
    if isinstance(value, list) and value:
        return "\n".join(str(item) for item in value)
    return _str_or_none(value)


def _relative(file_path: str, abs_path: str | None, root: Path | None) -> str:
    if root is not None and abs_path:
        try:
            return Path(abs_path).resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    return file_path.lstrip("/")


def _severity(value: Any) -> str | None:
    # Checkov prints a declared severity as its name or as {"name": ..., "level": ...}.
    if isinstance(value, dict):
        value = value.get("name")
    return _str_or_none(value)


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


# --- completeness -------------------------------------------------------------------------


def require_scanned(
    scan: ScanResult, written: Mapping[str, Mapping[str, int]], expected_ids: Mapping[str, Collection[str]]
) -> None:
    """Fail unless Checkov scanned everything written for it.

    ``written``: file -> framework -> resources Checkov must count (its ``resource_count``,
    summed per framework). ``expected_ids``: file -> resource ids the sentinel check must
    report (every object Checkov runs checks on; not the Pod templates it only counts).
    """
    short: list[str] = []
    totals: dict[str, int] = {}
    for per in written.values():
        for framework, count in per.items():
            totals[framework] = totals.get(framework, 0) + count
    for framework, wanted in sorted(totals.items()):
        report = scan.reports.get(framework)
        got = report.resource_count if report else 0
        if got < wanted:
            short.append(f"{framework}: {got} of {wanted} resources counted")
    for file, ids in sorted(expected_ids.items()):
        missing = sorted(set(ids) - scan.scanned.get(file, set()))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            short.append(f"{file}: {len(missing)} of {len(ids)} resources not scanned ({shown})")
    if short:
        raise IncompleteScan(
            "Checkov did not scan everything written for it, so some resources were never checked:\n  " + "\n  ".join(short),
            hint="Checkov skips plan resources without 'mode'/'terraform_version' and Kubernetes objects without a name "
            "silently: re-run with --keep DIR and inspect the rendered files",
        )
