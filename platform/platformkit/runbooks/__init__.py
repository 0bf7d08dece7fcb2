"""Executable runbooks: Ansible playbooks driven by ``platform runbook``, dry-run by default, resumable, audited.

Layout, conventions and how to add a runbook: ``runbooks/AUTHORING.md``. The engine:

- ``spec``: the runbook.yaml schema; ``registry``: loading, playbook checks, resume points;
- ``lookups`` + ``parameters``: parameters checked against the environment model;
- ``inventory``: the variables a playbook gets (``env``, ``names``, ``params``, ``run``);
- ``playbook``: running ansible-playbook and reading its JSON-lines events;
- ``engine``: one run, confirmation, account check; ``audit``: the record; ``docs``: the pages.
"""

from .engine import RunRequest, run
from .registry import Runbook, load_all, load_runbook

__all__ = ["RunRequest", "Runbook", "load_all", "load_runbook", "run"]
