"""Turning validation failures of YAML files into messages a person can act on.

Shared by every loader of a user-edited YAML file (environments, the parity allow-list), so
all of them say the same thing the same way: the line, the key, what is wrong, the value
received, and the closest allowed key when one was misspelt.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, ConfigErrors


def suggest(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'? Allowed: ..."``, or just the allowed keys; empty without choices."""
    if not choices:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    listing = ", ".join(sorted(choices))
    return f"; did you mean '{close[0]}'? Allowed: {listing}" if close else f"; allowed: {listing}"


def short(value: Any) -> str:
    """``repr(value)`` cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def problem_of(err: Any, choices: Sequence[str] = ()) -> str:
    """The problem in one pydantic error (``ValidationError.errors()`` item), without its location.

    ``choices`` are the keys allowed where an unknown key was found, for a suggestion.
    Mappings and lists are not echoed back: the key already says where to look.
    """
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key{suggest(str(err['loc'][-1]), choices)}"
    if kind == "missing":
        return "is required but missing"
    message = str(err["msg"]).removeprefix("Value error, ")
    problem = f"{message[0].lower()}{message[1:]}"
    value = err.get("input")
    if not isinstance(value, (dict, list)):
        problem += f" (got {short(value)})"
    return problem


def line_of(node: yaml.Node | None, path: Sequence[int | str]) -> int | None:
    """1-based line of the deepest part of ``path`` (mapping keys, list indexes) present in a composed YAML tree."""
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_yaml(path: Path, shown: str) -> tuple[Any, yaml.Node | None]:
    """The parsed document and its node tree (for line numbers); one clear ``ConfigErrors`` when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigErrors([ConfigError(shown, None, f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise ConfigErrors([ConfigError(shown, None, "is not UTF-8 text")]) from None
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{shown}:{mark.line + 1}" if mark is not None else shown
        raise ConfigErrors([ConfigError(where, None, f"is not valid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigErrors([ConfigError(shown, None, f"is not valid YAML: {exc}")]) from None
