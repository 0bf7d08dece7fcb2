"""Loading runbooks: the schema, the playbook's shape, steps = tasks, resume points, clear errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformkit.errors import ConfigErrors, PlatformError
from platformkit.runbooks.registry import UnknownRunbook, load_all, load_runbook, runbook_names

REPO = Path(__file__).resolve().parents[2]

SPEC: dict[str, Any] = {
    "name": "demo",
    "title": "Demo runbook",
    "severity": "low",
    "when_to_use": "In tests.",
    "symptoms": ["none"],
    "impact": "none",
    "investigation": ["none"],
    "resolution": ["none"],
    "rollback": ["none"],
    "escalation": ["none"],
    "parameters": [
        {"name": "mode", "type": "choice", "choices": ["a", "b"], "default": "a", "description": "mode"},
        {"name": "label", "type": "string", "required": True, "pattern": "^[a-z0-9]+$", "description": "label"},
    ],
    "names": {"thing": ["demo", "{label}"]},
    "steps": [
        {"name": "Read the thing", "description": "reads"},
        {"name": "Decide", "description": "decides"},
        {"name": "Change the thing", "description": "changes", "changes": True},
        {"name": "Read it again", "description": "reads"},
        {"name": "Report", "description": "reports"},
    ],
}

PLAY: dict[str, Any] = {
    "name": "Demo runbook",
    "hosts": "localhost",
    "connection": "local",
    "gather_facts": False,
    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    "tasks": [
        {"name": "Read the thing", "ansible.builtin.debug": {"msg": "{{ names.thing }}"}, "register": "thing"},
        {"name": "Decide", "ansible.builtin.set_fact": {"plan": "{{ thing.msg }}"}},
        {"name": "Change the thing", "ansible.builtin.debug": {"msg": "{{ names.thing }}"}},
        {"name": "Read it again", "ansible.builtin.debug": {"msg": "{{ names.thing }}"}, "register": "again"},
        {"name": "Report", "ansible.builtin.debug": {"msg": "{{ again.msg }}"}},
    ],
}


def write(root: Path, spec: dict[str, Any], play: dict[str, Any] | list[Any], folder: str = "demo") -> Path:
    directory = root / "runbooks" / folder
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "runbook.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (directory / "playbook.yml").write_text(yaml.safe_dump(play if isinstance(play, list) else [play], sort_keys=False))
    return directory


def problems(root: Path) -> str:
    with pytest.raises(ConfigErrors) as caught:
        load_runbook(root, "demo")
    return str(caught.value)


def test_the_repositorys_runbooks_load_and_their_steps_are_their_tasks() -> None:
    runbooks = load_all(REPO)
    assert {"db-restore", "capacity-scale"} <= {r.name for r in runbooks}
    for runbook in runbooks:
        play = yaml.safe_load(runbook.playbook.read_text())[0]
        assert [t["name"] for t in play["tasks"]] == [s.name for s in runbook.steps]
        assert play["name"] == runbook.spec.title
        assert runbook.steps[0].resume_point


def test_resume_points_of_the_shipped_runbooks() -> None:
    capacity = {s.name: s.resume_point for s in load_runbook(REPO, "capacity-scale").steps}
    assert [name for name, ok in capacity.items() if ok] == [
        "Read the scaling of the node group",
        "Scale the node group",
        "Wait until the node group is active",
    ]
    restore = load_runbook(REPO, "db-restore")
    assert restore.step("Wait until the restored instance is available").resume_point
    assert not restore.step("Restore into a new instance").resume_point
    assert (
        restore.resume_point_at_or_before("Verify the restored instance").name == "Wait until the restored instance is available"
    )
    assert restore.resume_point_at_or_before("Restore into a new instance").name == "Look up an earlier restore with this label"


def test_resume_points_follow_what_each_step_reads(tmp_path: Path) -> None:
    runbook = load_runbook(tmp_path, write(tmp_path, SPEC, PLAY).name)
    assert [s.resume_point for s in runbook.steps] == [True, False, True, True, False]
    blocked = runbook.step("Decide")
    assert blocked.resume_blocker == "step 'Decide' reads 'thing', which step 'Read the thing' sets"
    # "Report" reads 'again', set by the step before it, so starting at "Read it again" is safe
    assert runbook.resume_point_at_or_before("Report").name == "Read it again"


def test_a_variable_set_again_after_the_start_does_not_block(tmp_path: Path) -> None:
    play = copy.deepcopy(PLAY)
    play["tasks"][2]["register"] = "thing"  # "Change the thing" re-registers 'thing'
    play["tasks"][4]["ansible.builtin.debug"]["msg"] = "{{ thing.msg }}"
    runbook = load_runbook(tmp_path, write(tmp_path, SPEC, play).name)
    assert runbook.step("Change the thing").resume_point
    assert not runbook.step("Decide").resume_point


def mutate_spec(path: str, value: Any) -> Any:
    def apply(spec: dict[str, Any], play: dict[str, Any]) -> None:
        target: Any = spec
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return apply


def mutate_play(change: Any) -> Any:
    def apply(spec: dict[str, Any], play: dict[str, Any]) -> None:
        change(play)

    return apply


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (mutate_spec("serverity", "low"), ["runbook.yaml:", "serverity: unknown key; did you mean 'severity'?"]),
        (mutate_spec("severity", "urgent"), ["severity:", "'critical', 'high', 'medium' or 'low'", "'urgent'"]),
        (mutate_spec("name", "other"), ["name: is 'other' but the folder is 'demo'"]),
        (mutate_spec("steps.1.name", "Decide *now*"), ["steps.1.name:", "--start-at-task treats as a pattern"]),
        (mutate_spec("parameters.0.default", "c"), ["parameters.0:", "default 'c' is not one of the choices"]),
        (mutate_spec("parameters.1.bounds_from", "disk-size"), ["parameters.1.bounds_from:", "not a bounds lookup"]),
        (mutate_spec("names", {"thing": ["demo", "{missing}"]}), ["names.thing: '{missing}' is not a parameter"]),
        (mutate_spec("parameters.0.secret", True), ["a secret parameter cannot have a default"]),
        (
            mutate_play(lambda p: p["tasks"][1].update(name="Decide quickly")),
            ["playbook.yml:", "task names must equal the steps", "-Decide", "+Decide quickly"],
        ),
        (
            mutate_play(lambda p: p["tasks"].__setitem__(1, {"name": "Decide", "block": [{"ansible.builtin.ping": {}}]})),
            ["tasks.1: uses block: keep tasks flat"],
        ),
        (mutate_play(lambda p: p.pop("vars")), ["must set ansible_python_interpreter"]),
        (mutate_play(lambda p: p.update(hosts="all")), ["hosts: must be 'localhost'"]),
        (mutate_play(lambda p: p.update(roles=["x"])), ["roles: is not allowed"]),
        (mutate_play(lambda p: p["tasks"][0].pop("name")), ["tasks.0: has no name"]),
        (
            lambda spec, play: (
                spec["parameters"].append({"name": "token", "type": "string", "secret": True, "description": "t"}),
                play["tasks"][2]["ansible.builtin.debug"].update(msg="{{ params['token'] }}"),
            ),
            ["tasks.2: uses secret parameter 'token' without no_log: true"],
        ),
    ],
    ids=[
        "misspelt-key",
        "bad-severity",
        "name-not-folder",
        "glob-in-step",
        "default-not-a-choice",
        "unknown-lookup",
        "unknown-placeholder",
        "secret-with-default",
        "task-not-step",
        "block",
        "no-interpreter",
        "not-localhost",
        "roles",
        "unnamed-task",
        "secret-without-no-log",
    ],
)
def test_broken_runbooks_name_the_file_line_and_key(tmp_path: Path, mutate: Any, words: list[str]) -> None:
    spec, play = copy.deepcopy(SPEC), copy.deepcopy(PLAY)
    mutate(spec, play)
    write(tmp_path, spec, play)
    message = problems(tmp_path)
    for word in words:
        assert word in message, message


def test_a_secret_used_with_no_log_is_accepted(tmp_path: Path) -> None:
    spec, play = copy.deepcopy(SPEC), copy.deepcopy(PLAY)
    spec["parameters"].append({"name": "token", "type": "string", "secret": True, "description": "t"})
    play["tasks"][2].update({"ansible.builtin.debug": {"msg": "{{ params.token }}"}, "no_log": True})
    assert load_runbook(tmp_path, write(tmp_path, spec, play).name).parameter("token") is not None


def test_invalid_yaml_points_at_the_line(tmp_path: Path) -> None:
    directory = write(tmp_path, SPEC, PLAY)
    (directory / "runbook.yaml").write_text("name: demo\ntitle: [unclosed\n")
    assert "runbooks/demo/runbook.yaml:3: is not valid YAML" in problems(tmp_path)


def test_unknown_runbook_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, SPEC, PLAY)
    with pytest.raises(UnknownRunbook) as caught:
        load_runbook(tmp_path, "dem")
    assert "unknown runbook 'dem'; known runbooks: demo" in str(caught.value)
    assert "did you mean 'demo'?" in str(caught.value)


def test_a_broken_runbook_does_not_stop_another_from_loading(tmp_path: Path) -> None:
    write(tmp_path, SPEC, PLAY)
    broken = copy.deepcopy(SPEC) | {"name": "broken", "severity": "urgent"}
    write(tmp_path, broken, PLAY, folder="broken")
    assert runbook_names(tmp_path) == ["broken", "demo"]
    assert load_runbook(tmp_path, "demo").name == "demo"
    with pytest.raises(ConfigErrors):
        load_all(tmp_path)


def test_unknown_step_suggests_the_closest(tmp_path: Path) -> None:
    runbook = load_runbook(tmp_path, write(tmp_path, SPEC, PLAY).name)
    with pytest.raises(PlatformError) as caught:
        runbook.step("Change thing")
    assert "has no step 'Change thing'" in str(caught.value) and "did you mean 'Change the thing'?" in str(caught.value)
