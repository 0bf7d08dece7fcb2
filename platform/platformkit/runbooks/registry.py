"""Find, load and check the runbooks under ``runbooks/``.

Each runbook is a folder ``runbooks/<name>/`` holding ``runbook.yaml`` (validated into
``RunbookSpec``) and ``playbook.yml`` (one Ansible play whose task names are the steps, in
order). Every problem is reported as ``<file>:<line>: <key>: <problem>``, like environment
files. Loading one runbook never reads the others, so a broken runbook cannot stop another
from running during an incident.

Resume points: ``--from-step`` becomes ``ansible-playbook --start-at-task``, which skips the
earlier tasks, including the ones that ``register`` or ``set_fact`` variables. A step is a
*resume point* when neither it nor any later step reads a variable that only an earlier step
sets. The check reads each task's text (without its name), so it errs on the safe side.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..environment.loader import display_path
from ..errors import ConfigError, ConfigErrors, PlatformError
from ..messages import line_of, problem_of
from .spec import ParameterSpec, RunbookSpec, StepSpec

RUNBOOKS_DIR = "runbooks"
SPEC_FILE = "runbook.yaml"
PLAYBOOK_FILE = "playbook.yml"
PAGE_FILE = "README.md"
ANSIBLE_CONFIG = "ansible.cfg"

PLAY_KEYS_REQUIRED: dict[str, object] = {"hosts": "localhost", "connection": "local", "gather_facts": False}
PLAY_KEYS_ALLOWED = frozenset({"name", "hosts", "connection", "gather_facts", "vars", "module_defaults", "tasks"})
INTERPRETER = "{{ ansible_playbook_python }}"
SET_FACT_ACTIONS = frozenset({"set_fact", "ansible.builtin.set_fact", "ansible.legacy.set_fact"})
NESTING_KEYS = frozenset(
    {
        "block",
        "include_tasks",
        "import_tasks",
        "include_role",
        "import_role",
        "ansible.builtin.include_tasks",
        "ansible.builtin.import_tasks",
        "ansible.builtin.include_role",
        "ansible.builtin.import_role",
    }
)


class UnknownRunbook(PlatformError):
    """No runbook of that name."""


@dataclass(frozen=True)
class Step:
    """One step of a loaded runbook."""

    spec: StepSpec
    index: int
    resume_point: bool
    resume_blocker: str | None
    """Why ``--from-step`` cannot start here (which later step reads which earlier variable), or None."""

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Runbook:
    """A validated runbook: its metadata, folder and steps."""

    spec: RunbookSpec
    directory: Path
    steps: tuple[Step, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def playbook(self) -> Path:
        return self.directory / PLAYBOOK_FILE

    @property
    def page(self) -> Path:
        return self.directory / PAGE_FILE

    def step(self, name: str) -> Step:
        """The step called ``name``; a PlatformError listing the steps otherwise."""
        for step in self.steps:
            if step.name == name:
                return step
        names = [s.name for s in self.steps]
        close = difflib.get_close_matches(name, names, n=1)
        raise PlatformError(
            f"runbook '{self.name}' has no step '{name}'; its steps: " + "; ".join(f"'{n}'" for n in names),
            hint=f"did you mean '{close[0]}'?" if close else None,
        )

    def resume_point_at_or_before(self, name: str) -> Step:
        """The nearest step at or before ``name`` that ``--from-step`` can start at (the first step always can)."""
        index = self.step(name).index
        return next(s for s in reversed(self.steps[: index + 1]) if s.resume_point)

    def parameter(self, name: str) -> ParameterSpec | None:
        return self.spec.parameter(name)


def runbooks_dir(root: Path) -> Path:
    """Folder holding one folder per runbook."""
    return root / RUNBOOKS_DIR


def runbook_names(root: Path) -> list[str]:
    """Names of the folders under runbooks/ that hold a runbook.yaml, sorted."""
    folder = runbooks_dir(root)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / SPEC_FILE).is_file())


def load_runbook(root: Path, name: str) -> Runbook:
    """Load and check one runbook; UnknownRunbook or ConfigErrors (file, line, key) when it cannot be used."""
    known = runbook_names(root)
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        raise UnknownRunbook(
            f"unknown runbook '{name}'; known runbooks: {', '.join(known) or 'none'}",
            hint=f"did you mean '{close[0]}'?" if close else "list them with 'platform runbook list'",
        )
    return _load(root, runbooks_dir(root) / name)


def load_all(root: Path) -> list[Runbook]:
    """Every runbook, sorted by name; the problems of all broken ones are reported together."""
    loaded: list[Runbook] = []
    errors: list[ConfigError] = []
    for name in runbook_names(root):
        try:
            loaded.append(_load(root, runbooks_dir(root) / name))
        except ConfigErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise ConfigErrors(errors)
    return loaded


# --- loading --------------------------------------------------------------------------------


class _Source:
    """A YAML file's text and node tree, to point errors at lines."""

    def __init__(self, root: Path, path: Path) -> None:
        self.path = path
        self.shown = display_path(path, root)
        try:
            self.text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigErrors([ConfigError(self.shown, None, f"cannot read: {exc.strerror}")]) from None
        except UnicodeDecodeError:
            raise ConfigErrors([ConfigError(self.shown, None, "is not UTF-8 text")]) from None
        self.node: yaml.Node | None = None

    def parse(self) -> Any:
        try:
            self.node = yaml.compose(self.text, Loader=yaml.SafeLoader)
            return yaml.safe_load(self.text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"{self.shown}:{mark.line + 1}" if mark is not None else self.shown
            raise ConfigErrors([ConfigError(where, None, f"is not valid YAML: {exc.problem or exc}")]) from None
        except yaml.YAMLError as exc:
            raise ConfigErrors([ConfigError(self.shown, None, f"is not valid YAML: {exc}")]) from None

    def error(self, path: list[str | int], problem: str, *, hint: str | None = None, play: bool = False) -> ConfigError:
        """An error at ``path``; ``play`` paths start inside the playbook's single play (the key omits its index)."""
        full = [0, *path] if play else path
        line = line_of(self.node, full)
        where = f"{self.shown}:{line}" if line else self.shown
        key = ".".join(str(p) for p in path) or None
        return ConfigError(where, key, problem, hint=hint)


def _load(root: Path, directory: Path) -> Runbook:
    source = _Source(root, directory / SPEC_FILE)
    document = source.parse()
    if not isinstance(document, dict):
        raise ConfigErrors([source.error([], "must be a YAML mapping of runbook keys (name, title, steps, ...)")])
    try:
        spec = RunbookSpec.model_validate(document)
    except ValidationError as exc:
        raise ConfigErrors([_pydantic_error(source, err) for err in exc.errors()]) from None
    if spec.name != directory.name:
        raise ConfigErrors([source.error(["name"], f"is '{spec.name}' but the folder is '{directory.name}'; make them equal")])
    tasks = _check_playbook(root, directory / PLAYBOOK_FILE, spec)
    return Runbook(spec=spec, directory=directory, steps=_steps(spec, tasks))


def _pydantic_error(source: _Source, err: Any) -> ConfigError:
    loc = list(err["loc"])
    choices: list[str] = []
    if err["type"] == "extra_forbidden":
        choices = _fields_at(loc[:-1])
    return source.error(list(loc), problem_of(err, choices))


def _fields_at(path: list[str | int]) -> list[str]:
    """Keys allowed at ``path`` of runbook.yaml, for a did-you-mean suggestion."""
    model: Any = RunbookSpec
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = {"parameters": ParameterSpec, "steps": StepSpec}.get(part)
        if model is None:
            return []
    return list(model.model_fields)


def _check_playbook(root: Path, path: Path, spec: RunbookSpec) -> list[dict[str, Any]]:
    source = _Source(root, path)
    document = source.parse()
    errors: list[ConfigError] = []
    if not (isinstance(document, list) and len(document) == 1 and isinstance(document[0], dict)):
        raise ConfigErrors([source.error([], "must hold exactly one play (a list with one mapping)")])
    play: dict[str, Any] = document[0]
    for key, value in PLAY_KEYS_REQUIRED.items():
        if play.get(key) != value:
            errors.append(source.error([key], play=True, problem=f"must be {value!r} (got {play.get(key)!r})"))
    interpreter = (play.get("vars") or {}).get("ansible_python_interpreter")
    if interpreter != INTERPRETER:
        errors.append(
            source.error(
                ["vars"],
                play=True,
                problem=f'must set ansible_python_interpreter: "{INTERPRETER}" so modules run with the engine\'s Python and boto3',
            )
        )
    if play.get("name") != spec.title:
        errors.append(
            source.error(["name"], play=True, problem=f"must be the runbook's title {spec.title!r} (got {play.get('name')!r})")
        )
    for key in play:
        if key not in PLAY_KEYS_ALLOWED:
            errors.append(
                source.error([key], play=True, problem="is not allowed: a runbook play has only 'tasks' (each task is a step)")
            )
    tasks = play.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        errors.append(source.error(["tasks"], play=True, problem="must be a non-empty list of tasks"))
        raise ConfigErrors(errors)
    names: list[str] = []
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            errors.append(source.error(["tasks", index], play=True, problem="must be a task (a mapping)"))
            continue
        nested = sorted(NESTING_KEYS & set(task))
        if nested:
            errors.append(
                source.error(["tasks", index], play=True, problem=f"uses {nested[0]}: keep tasks flat, each task is one step")
            )
        name = task.get("name")
        if not isinstance(name, str) or not name:
            errors.append(source.error(["tasks", index], play=True, problem="has no name; every task is a step and needs one"))
            continue
        names.append(name)
    secrets = [p.name for p in spec.parameters if p.secret]
    for index, task in enumerate(tasks):
        if not isinstance(task, dict) or task.get("no_log") is True:
            continue
        leaked = sorted(_reads(task, secrets, dotted=True))
        if leaked:
            errors.append(
                source.error(
                    ["tasks", index],
                    play=True,
                    problem=f"uses secret parameter '{leaked[0]}' without no_log: true (its value would reach the output and logs)",
                )
            )
    expected = [s.name for s in spec.steps]
    if not errors and names != expected:
        diff = "; ".join(
            line for line in difflib.unified_diff(expected, names, "runbook.yaml steps", "playbook.yml tasks", lineterm="", n=0)
        )
        errors.append(
            source.error(
                ["tasks"],
                play=True,
                problem=f"task names must equal the steps of {SPEC_FILE}, in order: {diff}",
                hint="rename the task or the step so both say the same",
            )
        )
    if errors:
        raise ConfigErrors(errors)
    return tasks


# --- resume points ------------------------------------------------------------------------


def _produced(task: Mapping[str, Any]) -> set[str]:
    """Variables a task defines for later tasks: its ``register`` and its ``set_fact`` keys."""
    produced: set[str] = set()
    register = task.get("register")
    if isinstance(register, str):
        produced.add(register)
    for action in SET_FACT_ACTIONS & set(task):
        args = task[action]
        if isinstance(args, dict):
            produced.update(k for k in args if k != "cacheable")
    return produced


def _reads(task: Mapping[str, Any], candidates: Iterable[str], *, dotted: bool = False) -> set[str]:
    """Which of ``candidates`` the task's text mentions as a variable (conservative: any bare word match).

    ``dotted``: also count a mention right after a dot (``params.password``), as for secret parameters.
    """
    body = {k: v for k, v in task.items() if k not in ("name", "register")}
    text = yaml.safe_dump(body, sort_keys=True, width=1_000_000)
    before = r"(?<!\w)" if dotted else r"(?<![\w.])"
    return {v for v in candidates if re.search(rf"{before}{re.escape(v)}\b", text)}


def _steps(spec: RunbookSpec, tasks: list[dict[str, Any]]) -> tuple[Step, ...]:
    produced = [_produced(t) for t in tasks]
    producer_of: dict[str, list[int]] = {}
    for index, names in enumerate(produced):
        for var in names:
            producer_of.setdefault(var, []).append(index)
    steps: list[Step] = []
    for start, step_spec in enumerate(spec.steps):
        earlier = set().union(*produced[:start]) if start else set()
        available: set[str] = set()
        blocker: str | None = None
        for later in range(start, len(tasks)):
            missing = sorted(_reads(tasks[later], earlier - available))
            if missing:
                var = missing[0]
                setter = spec.steps[max(i for i in producer_of[var] if i < start)].name
                blocker = f"step '{spec.steps[later].name}' reads '{var}', which step '{setter}' sets"
                break
            available |= produced[later]
        steps.append(Step(spec=step_spec, index=start, resume_point=blocker is None, resume_blocker=blocker))
    return tuple(steps)
