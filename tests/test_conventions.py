"""House rules that a reviewer would otherwise have to remember (see ../shared/notes/style.md)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import sys
import textwrap
from pathlib import Path

import pulumi
import pytest
from pydantic import BaseModel

import platformkit
from platformkit.component import ComponentArgs
from platformkit.environment import model as env_model

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPO / "platform" / "platformkit"
NON_COMPONENT_PACKAGES = {"cli", "environment", "graph", "plan", "parity", "policy", "secrets", "runbooks"}
COMPONENT_FILES = {"__init__.py", "args.py", "component.py", "README.md"}


def component_packages() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE_DIR)]) if m.ispkg and m.name not in NON_COMPONENT_PACKAGES)


def component_classes() -> list[type[pulumi.ComponentResource]]:
    classes = []
    for pkg in component_packages():
        module = importlib.import_module(f"platformkit.{pkg}")
        classes += [obj for obj in vars(module).values() if inspect.isclass(obj) and issubclass(obj, pulumi.ComponentResource)]
    return classes


def test_no_module_shadows_the_standard_library_platform() -> None:
    assert not (REPO / "platform" / "__init__.py").exists()
    assert not (REPO / "platform.py").exists()
    import platform

    assert hasattr(platform, "python_version"), "the 'platform' imported is not the standard library's"
    assert Path(platform.__file__).parent == Path(sys.modules["os"].__file__).parent


def test_there_are_components() -> None:
    assert {"keys"} <= set(component_packages())


@pytest.mark.parametrize("pkg", component_packages())
def test_component_package_layout(pkg: str) -> None:
    files = {p.name for p in (PACKAGE_DIR / pkg).iterdir() if not p.name.startswith("__pycache__")}
    assert files >= COMPONENT_FILES, f"platformkit/{pkg} lacks {sorted(COMPONENT_FILES - files)}"
    module = importlib.import_module(f"platformkit.{pkg}")
    exported = set(getattr(module, "__all__", []))
    assert len(exported) == 2, f"platformkit.{pkg} should export exactly its component and args, exports {exported}"
    assert any(name.endswith("Args") for name in exported)


@pytest.mark.parametrize("pkg", component_packages())
def test_every_component_has_a_test_module(pkg: str) -> None:
    assert (REPO / "tests" / "platform" / pkg / "test_component.py").is_file()


@pytest.mark.parametrize("cls", component_classes(), ids=lambda c: c.__name__)
def test_component_signature_and_token(cls: type[pulumi.ComponentResource]) -> None:
    params = list(inspect.signature(cls.__init__).parameters)
    assert params == ["self", "name", "args", "opts"], f"{cls.__name__}{params}"
    source = inspect.getsource(cls)
    pkg = cls.__module__.split(".")[1]
    assert f'token("{pkg}", "{cls.__name__}")' in source, f"{cls.__name__} must use token('{pkg}', '{cls.__name__}')"
    init = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__))).body[0]
    assert isinstance(init, ast.FunctionDef)
    last = init.body[-1]
    assert (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Attribute)
        and last.value.func.attr == "register_outputs"
    ), f"{cls.__name__}: register_outputs must be the last statement of __init__"


def all_models() -> list[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for module in [env_model, *(importlib.import_module(f"platformkit.{p}.args") for p in component_packages())]:
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__:
                found.add(obj)
    found.add(ComponentArgs)
    return sorted(found, key=lambda c: c.__qualname__)


@pytest.mark.parametrize("model", all_models(), ids=lambda m: m.__qualname__)
def test_every_setting_and_arg_is_described(model: type[BaseModel]) -> None:
    undocumented = [name for name, field in model.model_fields.items() if not (field.description or "").strip()]
    assert not undocumented, f"{model.__qualname__}: fields without description: {undocumented}"
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True


def test_tests_are_named_test_star() -> None:
    stray = [
        p.relative_to(REPO)
        for p in (REPO / "tests").rglob("*.py")
        if p.name not in {"conftest.py", "__init__.py"}
        and not p.name.startswith("test_")
        # Programs that are test data (the bridge-fidelity corpus), loaded by the tests, not collected.
        and not {"corpus", "fixtures"} & set(p.relative_to(REPO).parts)
    ]
    assert not stray, f"test files that pytest would never run: {stray}"


def test_no_environment_name_branching_in_library_or_stacks() -> None:
    pattern = re.compile(r"""(==|!=|\bin\b)\s*[\(\[{]?\s*["'](dev|staging|prod|perf)["']""")
    offenders = [
        f"{p.relative_to(REPO)}:{i}"
        for base in (PACKAGE_DIR, REPO / "stacks")
        for p in base.rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, f"code branches on an environment name: {offenders}"


def test_package_version_is_exposed() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", platformkit.__version__)
