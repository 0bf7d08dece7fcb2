"""Run one runbook's playbook with ``ansible-playbook`` and turn its JSON-lines events into step results.

- Dry run by default: ``--check --diff``; ``--start-at-task`` for ``--from-step``.
- Events: the ``ansible.posix.jsonl`` stdout callback (one JSON object per line), read as they
  arrive so progress is shown live; ``set_stats`` data becomes the run's ``outputs``.
- Variables: ``-e @file`` with a JSON file that exists only while ansible-playbook starts.
  Ansible resolves the path with realpath and insists on a regular file, so a pipe or memfd
  (``/dev/fd/N``) cannot be used. The file is created 0600 in a fresh 0700 folder on a
  memory-backed filesystem (``$XDG_RUNTIME_DIR``, else ``/dev/shm``, else the temp folder),
  and deleted as soon as ansible-playbook reports its first event: it reads extra vars once,
  at start-up, before the play begins. Deleted in any case when the run ends.
- Module arguments never touch disk either: ``runbooks/ansible.cfg`` turns pipelining on, so
  modules receive them on stdin instead of as AnsiballZ files in ``~/.ansible/tmp``.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import PlatformError
from .inventory import INVENTORY

STDOUT_CALLBACK = "ansible.posix.jsonl"
StepStatus = Literal["ok", "changed", "failed", "skipped"]
NOTE_ACTIONS = frozenset({"ansible.builtin.debug", "debug", "ansible.builtin.assert", "assert"})
"""Actions whose ``msg`` is shown to the operator (debug messages; an assert's success_msg)."""
DEFAULT_ASSERT_MESSAGE = "All assertions passed"
"""What an assert without success_msg says; not worth a line in the report."""


@dataclass(frozen=True)
class StepStarted:
    """ansible-playbook began a task."""

    name: str
    at: str


@dataclass(frozen=True)
class StepResult:
    """How one task ended."""

    name: str
    status: StepStatus
    changed: bool
    started_at: str | None
    finished_at: str
    message: str | None = None
    notes: tuple[str, ...] = ()
    diff: tuple[str, ...] = ()


@dataclass
class PlaybookOutcome:
    """Everything a finished ansible-playbook process reported."""

    return_code: int
    results: list[StepResult] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""
    stray_output: list[str] = field(default_factory=list)
    interrupted: bool = False


Event = StepStarted | StepResult


def ansible_playbook_executable() -> Path:
    """``ansible-playbook`` from the engine's own environment (so it has boto3 and the collections), else from PATH."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("ansible-playbook")
    if found is None:
        raise PlatformError("ansible-playbook is not installed", hint="run scripts/setup (it installs ansible-core from uv.lock)")
    return Path(found)


def playbook_command(
    playbook: Path, vars_file: Path, *, check: bool, start_at: str | None, executable: Path | None = None
) -> list[str]:
    """The ansible-playbook command line of one run."""
    command = [str(executable or ansible_playbook_executable()), "-i", INVENTORY, "-e", f"@{vars_file}"]
    if check:
        command += ["--check", "--diff"]
    if start_at is not None:
        command += ["--start-at-task", start_at]
    return [*command, str(playbook)]


def playbook_environment(base: Mapping[str, str], *, config: Path, region: str) -> dict[str, str]:
    """The process environment: the caller's (AWS credentials, AWS_ENDPOINT_URL) plus the engine's Ansible settings."""
    env = dict(base)
    env.update(
        {
            "ANSIBLE_CONFIG": str(config),
            "ANSIBLE_STDOUT_CALLBACK": STDOUT_CALLBACK,
            "ANSIBLE_SHOW_CUSTOM_STATS": "True",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "PYTHONUNBUFFERED": "1",
            # The environment's region, whatever the operator's profile says.
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }
    )
    return env


class VarsFile:
    """The extra-vars JSON file: private, memory-backed where possible, short-lived."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="platform-runbook-", dir=_private_temp_root()))
        self.path = self._folder / "vars.json"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle)

    def remove(self) -> None:
        """Delete the file and its folder (idempotent)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        with contextlib.suppress(FileNotFoundError, OSError):
            self._folder.rmdir()

    @property
    def exists(self) -> bool:
        return self.path.exists()


def _private_temp_root() -> str | None:
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None


def run_playbook(
    command: list[str], env: Mapping[str, str], vars_file: VarsFile, on_event: Callable[[Event], None]
) -> PlaybookOutcome:
    """Run ``command``, calling ``on_event`` for each task start and result; the vars file is removed at the first event."""
    outcome = PlaybookOutcome(return_code=-1)
    started: dict[str, str] = {}
    try:
        process = subprocess.Popen(
            command,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
    except OSError as exc:
        vars_file.remove()
        raise PlatformError(f"cannot start ansible-playbook: {exc.strerror or exc}") from None
    stderr_lines: list[str] = []
    reader = threading.Thread(target=_drain, args=(process.stderr, stderr_lines), daemon=True)
    reader.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            vars_file.remove()
            for event in _events(line, outcome, started):
                on_event(event)
        outcome.return_code = process.wait()
    except KeyboardInterrupt:
        _stop(process)
        outcome.interrupted = True
        outcome.return_code = process.returncode
    except BaseException:
        _stop(process)
        raise
    finally:
        vars_file.remove()
        reader.join(timeout=5)
    outcome.stderr = "".join(stderr_lines)
    return outcome


def _drain(stream: Any, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)


def _stop(process: subprocess.Popen[str]) -> None:
    """Stop our ansible-playbook child (by its PID) and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _events(line: str, outcome: PlaybookOutcome, started: dict[str, str]) -> Iterator[Event]:
    text = line.strip()
    if not text:
        return
    try:
        event = json.loads(text)
    except json.JSONDecodeError:
        outcome.stray_output.append(text)
        return
    if not isinstance(event, dict):
        outcome.stray_output.append(text)
        return
    kind = event.get("_event", "")
    if kind in ("v2_playbook_on_task_start", "v2_runner_on_start"):
        task = event["task"]
        started[task["name"]] = task["duration"]["start"]
        yield StepStarted(name=task["name"], at=task["duration"]["start"])
    elif kind in ("v2_runner_on_ok", "v2_runner_on_failed", "v2_runner_on_skipped", "v2_runner_on_unreachable"):
        result = step_result(event, started)
        outcome.results.append(result)
        yield result
    elif kind == "v2_playbook_on_stats":
        outcome.outputs = dict(event.get("global_custom_stats") or {})


def step_result(event: Mapping[str, Any], started: Mapping[str, str]) -> StepResult:
    """One jsonl runner event -> StepResult (one host: localhost)."""
    task = event["task"]
    name = task["name"]
    host: dict[str, Any] = next(iter(event["hosts"].values()), {})
    kind = event["_event"]
    finished = task["duration"].get("end") or event.get("_timestamp", "")
    changed = bool(host.get("changed"))
    if kind in ("v2_runner_on_failed", "v2_runner_on_unreachable"):
        return StepResult(name, "failed", changed, started.get(name), finished, message=failure_message(host))
    if kind == "v2_runner_on_skipped":
        condition = str(host.get("false_condition") or "")
        reason = "dry run: acts only with --execute" if "ansible_check_mode" in condition else f"condition false: {condition}"
        return StepResult(name, "skipped", False, started.get(name), finished, message=reason)
    notes: tuple[str, ...] = ()
    if host.get("action") in NOTE_ACTIONS and host.get("msg") and host.get("msg") != DEFAULT_ASSERT_MESSAGE:
        msg = host["msg"]
        notes = tuple(str(m) for m in msg) if isinstance(msg, list) else tuple(str(msg).splitlines())
    return StepResult(
        name,
        "changed" if changed else "ok",
        changed,
        started.get(name),
        finished,
        notes=notes,
        diff=tuple(render_diff(host.get("diff"))),
    )


def failure_message(host: Mapping[str, Any]) -> str:
    """The most useful one-paragraph explanation of a failed task."""
    if host.get("censored"):
        return "failed; the output is hidden because the task handles secrets (no_log)"
    message = host.get("msg")
    parts: list[str] = []
    if isinstance(message, str) and message.strip():
        parts.append(message.strip())
    elif isinstance(message, list):
        parts.extend(str(m) for m in message)
    error = host.get("error")
    if isinstance(error, dict) and error.get("message") and not any(str(error["message"]) in p for p in parts):
        parts.append(f"{error.get('code', 'error')}: {error['message']}")
    if not parts and host.get("module_stderr"):
        lines = str(host["module_stderr"]).strip().splitlines()
        parts.append(lines[-1] if lines else "the module crashed")
    attempts = host.get("attempts")
    if isinstance(attempts, int) and not parts:
        parts.append(f"the step's until-condition was still false after {attempts} attempt(s)")
    elif isinstance(attempts, int) and attempts > 1:
        parts.append(f"(gave up after {attempts} attempts)")
    return " ".join(parts) or "failed without a message"


def render_diff(diff: Any) -> list[str]:
    """A module's ``diff`` (one or a list of before/after pairs) as unified-diff lines."""
    if not diff:
        return []
    lines: list[str] = []
    for item in diff if isinstance(diff, list) else [diff]:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("prepared"), str):
            lines.extend(item["prepared"].splitlines())
            continue
        before, after = _text(item.get("before")), _text(item.get("after"))
        if before == after:
            continue
        lines.extend(
            difflib.unified_diff(
                before.splitlines(),
                after.splitlines(),
                fromfile=str(item.get("before_header", "before")),
                tofile=str(item.get("after_header", "after")),
                lineterm="",
            )
        )
    return lines


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False)
