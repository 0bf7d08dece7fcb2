"""Read ``environments/Pulumi.<env>.yaml`` into a validated ``EnvironmentConfig``.

Every problem is reported as ``<file>:<line>: platform:<key>: <problem>`` and all problems of
a file are reported together. The same loader serves ``pulumi up`` (the stack program), the
offline plan, the parity check and the tests, so they can never disagree about a file.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, ConfigErrors
from ..messages import line_of, problem_of, read_yaml, suggest
from . import rules
from .model import EnvironmentConfig

NAMESPACE = "platform"
"""Config namespace of every key the platform reads (``platform:network`` etc.)."""

PULUMI_STACK_KEYS = frozenset({"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"})
"""Top-level keys Pulumi itself may write into a stack file."""

STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"


def find_root(start: Path | None = None) -> Path:
    """The repository root: ``$PLATFORM_ROOT``, else the nearest folder above ``start`` holding ``Pulumi.yaml``."""
    if env_root := os.environ.get("PLATFORM_ROOT"):
        return Path(env_root).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    package_root = Path(__file__).resolve().parents[3]
    if (package_root / "Pulumi.yaml").is_file():
        return package_root
    raise ConfigError(str(here), None, "no Pulumi.yaml here or above", hint="run inside the repository or set PLATFORM_ROOT")


def environments_dir(root: Path) -> Path:
    """Folder holding the stack files (Pulumi.yaml's ``stackConfigDir``)."""
    return root / "environments"


def stack_file(root: Path, name: str) -> Path:
    """Path of one environment's stack file."""
    return environments_dir(root) / f"{STACK_FILE_PREFIX}{name}{STACK_FILE_SUFFIX}"


def known_environments(root: Path) -> list[str]:
    """Environment names, from the stack files present, sorted."""
    folder = environments_dir(root)
    names = [
        p.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]
        for p in folder.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}")
        if p.is_file()
    ]
    return sorted(names)


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the repository root when it lies inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def require_known(root: Path, name: str) -> None:
    """Raise a ConfigError listing the known environments when ``name`` is not one of them."""
    known = known_environments(root)
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else None
        raise ConfigError(
            display_path(environments_dir(root), root),
            None,
            f"unknown environment '{name}'; known environments: {', '.join(known) or 'none'}",
            hint=hint,
        )


def load_environment(name: str, root: Path | None = None, *, with_relations: bool = True) -> EnvironmentConfig:
    """Load and validate one environment, including rules relating it to the others.

    ``with_relations`` checks its CIDR against every other environment and its shape against
    the environment named by ``shapeOf``; those files must then be valid too.
    """
    root = root or find_root()
    require_known(root, name)
    env = _load_single(root, name)
    if with_relations:
        _check_relations(root, env)
    return env


def load_all(root: Path | None = None) -> dict[str, EnvironmentConfig]:
    """Load every environment and check the rules between them; all problems are reported together."""
    root = root or find_root()
    envs: dict[str, EnvironmentConfig] = {}
    errors: list[ConfigError] = []
    for name in known_environments(root):
        try:
            envs[name] = _load_single(root, name)
        except ConfigErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise ConfigErrors(errors)
    for env in envs.values():
        try:
            _check_relations(root, env, loaded=envs)
        except ConfigErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise ConfigErrors(errors)
    return envs


def _check_relations(root: Path, env: EnvironmentConfig, loaded: dict[str, EnvironmentConfig] | None = None) -> None:
    def get(other: str) -> EnvironmentConfig:
        if loaded is not None and other in loaded:
            return loaded[other]
        return _load_single(root, other)

    source = _SourceFile(root, env.name)
    findings: list[rules.Finding] = []
    if env.shape_of is not None:
        if env.shape_of == env.name or env.shape_of not in known_environments(root):
            findings.append(
                rules.Finding(
                    "shapeOf", f"names '{env.shape_of}', which is not another environment ({', '.join(known_environments(root))})"
                )
            )
        else:
            findings.extend(rules.check_shape(env, get(env.shape_of)))
    findings.extend(rules.check_cidr_overlaps(_loadable_siblings(env.name, get, known_environments(root)), env))
    if findings:
        raise ConfigErrors([source.error(f.key, f.problem) for f in findings])


def _loadable_siblings(name: str, get: Callable[[str], EnvironmentConfig], names: list[str]) -> list[EnvironmentConfig]:
    """Other environments that load; a broken one reports its own errors when it is loaded itself."""
    siblings = []
    for other in names:
        if other == name:
            continue
        try:
            siblings.append(get(other))
        except ConfigErrors:
            continue
    return siblings


class _SourceFile:
    """A stack file's parsed document and YAML node tree, to point errors at lines."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = stack_file(root, name)
        self.shown = display_path(self.path, root)
        self._read: tuple[Any, yaml.Node | None] | None = None

    def parse(self) -> Any:
        """The document; one clear ``ConfigErrors`` when the file cannot be read or is not YAML."""
        self._read = read_yaml(self.path, self.shown)
        return self._read[0]

    def line_of(self, path: list[str]) -> int | None:
        """1-based line of the deepest key of ``path`` (under ``config:``) that exists in the file."""
        if self._read is None:
            try:
                self._read = read_yaml(self.path, self.shown)
            except ConfigErrors:
                return None
        return line_of(self._read[1], ["config", *path])

    def error(self, dotted_key: str, problem: str, *, hint: str | None = None) -> ConfigError:
        section, _, rest = dotted_key.partition(".")
        path = [f"{NAMESPACE}:{section}", *(rest.split(".") if rest else [])]
        line = self.line_of(path)
        where = f"{self.shown}:{line}" if line else self.shown
        return ConfigError(where, f"{NAMESPACE}:{dotted_key}", problem, hint=hint)


def _load_single(root: Path, name: str) -> EnvironmentConfig:
    source = _SourceFile(root, name)
    document = source.parse()
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigErrors([ConfigError(source.shown, None, "must be a YAML mapping with a 'config:' key")])
    errors: list[ConfigError] = []
    for key in document:
        if key not in PULUMI_STACK_KEYS:
            errors.append(ConfigError(source.shown, str(key), "unknown top-level key; settings belong under 'config:'"))
    config = document.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ConfigErrors([*errors, ConfigError(source.shown, "config", "must be a mapping of 'platform:<section>' keys")])

    sections: dict[str, Any] = {}
    allowed = _section_aliases()
    for raw_key, value in config.items():
        key = str(raw_key)
        namespace, sep, section = key.partition(":")
        if not sep or namespace != NAMESPACE:
            errors.append(
                ConfigError(
                    _where(source, [key]),
                    key,
                    f"only '{NAMESPACE}:<section>' keys belong here (provider settings such as the AWS region are "
                    f"derived from the model: {NAMESPACE}:account.region)",
                )
            )
            continue
        if section not in allowed:
            errors.append(source.error(section, f"unknown key{suggest(section, allowed)}"))
            continue
        sections[section] = value
    if errors:
        raise ConfigErrors(errors)

    try:
        env = EnvironmentConfig.model_validate({**sections, "name": name})
    except ValidationError as exc:
        raise ConfigErrors([_pydantic_error(source, err) for err in exc.errors()]) from None
    findings = rules.check_environment(env)
    if findings:
        raise ConfigErrors([source.error(f.key, f.problem) for f in findings])
    return env


def _where(source: _SourceFile, path: list[str]) -> str:
    line = source.line_of(path)
    return f"{source.shown}:{line}" if line else source.shown


def _section_aliases() -> list[str]:
    return [field.alias or name for name, field in EnvironmentConfig.model_fields.items() if name != "name"]


def _model_at(path: list[str | int]) -> type[BaseModel] | None:
    """The model class whose fields are valid at ``path`` (to suggest a key), if any."""
    model: type[BaseModel] | None = EnvironmentConfig
    for part in path:
        if model is None:
            return None
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            # a dict key (e.g. a node group name): the value type is the dict's value type
            continue
        annotation = field.annotation
        model = _inner_model(annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _pydantic_error(source: _SourceFile, err: Any) -> ConfigError:
    dotted = ".".join(str(p) for p in err["loc"])
    choices: list[str] = []
    if err["type"] == "extra_forbidden":
        model = _model_at(list(err["loc"][:-1]))
        choices = [f.alias or n for n, f in model.model_fields.items()] if model else []
    return source.error(dotted, problem_of(err, choices))
