"""The variables a playbook receives, built in memory from the environment model.

Nothing here is a second copy of environment settings: ``env`` is the validated
``EnvironmentConfig`` itself (snake_case keys), and ``names`` are derived with the same
``Context.name()`` and component helpers the Pulumi program uses, so a runbook acts on
exactly the resources the stack created. The inventory is only ``localhost`` (every
playbook runs AWS API calls from the operator's machine).

Top-level variables (read them in playbooks as ``env.*``, ``names.*``, ``params.*``, ``tags``, ``run.*``):

- ``env``: the environment model, e.g. ``env.account.region``, ``env.cluster.node_groups.system.max_size``.
- ``names``: physical names, see ``resource_names``; plus the runbook's own ``names:`` from runbook.yaml.
- ``params``: the checked parameters (every declared one; null when not given and without default).
- ``tags``: tags for resources the runbook creates (the required tags; ``managed-by: runbook/<name>``).
- ``run``: ``id`` (the audit record's run id), ``runbook``, ``operator`` (OS user).
"""

from __future__ import annotations

from typing import Any

from ..context import Context
from ..database.component import parameter_group_family
from ..environment.model import EnvironmentConfig
from ..keys.component import ROLES as KEY_ROLES
from ..storage.component import ROLES as BUCKET_ROLES
from ..storage.component import bucket_name
from ..vault.args import kv_mount_path
from .parameters import Parameters
from .spec import RunbookSpec

INVENTORY = "localhost,"
"""``ansible-playbook -i``: an in-memory inventory of the control machine only."""


def resource_names(env: EnvironmentConfig) -> dict[str, Any]:
    """Physical names of the environment's resources that runbooks act on (add here when a runbook needs more)."""
    ctx = Context.for_environment(env)
    database = ctx.name("postgres")
    return {
        "database": database,
        "database_subnet_group": database,
        "database_security_group": database,
        "database_parameter_group": ctx.name(parameter_group_family(env.database.engine_version)),
        "database_final_snapshot": ctx.name("postgres-final"),
        "cluster": ctx.name("eks"),
        "node_groups": {group: ctx.name("eks", group) for group in env.cluster.node_groups},
        "buckets": {role: bucket_name(ctx, role) for role in BUCKET_ROLES},
        "key_aliases": {role: f"alias/{ctx.name(role)}" for role in KEY_ROLES},
        # SSM parameter where env-sleep remembers the node group sizes and env-wake reads them back.
        "sleep_memory": ctx.name("env-sleep"),
        # The environment's Vault KV v2 mount (db-rotate-credentials writes the optional Vault copy there).
        "vault_kv_mount": kv_mount_path(ctx, env.vault),
    }


def runbook_tags(env: EnvironmentConfig, runbook: str) -> dict[str, str]:
    """Tags for resources a runbook creates: the environment's required tags, managed-by naming the runbook."""
    return {**Context.for_environment(env).tags(), "managed-by": f"runbook/{runbook}"}


def derived_names(spec: RunbookSpec, env: EnvironmentConfig, params: Parameters) -> dict[str, str]:
    """The runbook's ``names:`` entries, each ``Context.name(*parts)`` with ``{param}`` placeholders filled in."""
    ctx = Context.for_environment(env)
    values = {k: "" if v is None else str(v) for k, v in params.values.items()}
    return {key: ctx.name(*(part.format(**values) for part in parts)) for key, parts in spec.names.items()}


def extra_vars(spec: RunbookSpec, env: EnvironmentConfig, params: Parameters, *, run_id: str, operator: str) -> dict[str, Any]:
    """Everything the playbook is given with ``-e``: ``env``, ``names``, ``params``, ``tags`` and ``run``."""
    return {
        "env": env.model_dump(mode="json"),
        "names": {**resource_names(env), **derived_names(spec, env, params)},
        "params": dict(params.values),
        "tags": runbook_tags(env, spec.name),
        "run": {"id": run_id, "runbook": spec.name, "operator": operator},
    }
