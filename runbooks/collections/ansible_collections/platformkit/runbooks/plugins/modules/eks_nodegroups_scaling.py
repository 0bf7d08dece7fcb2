#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""Read, and optionally set, the minimum and desired size of several EKS managed node groups of one cluster.

Why a module of our own, and why not eks_nodegroup_capacity in a loop: community.aws.eks_nodegroup
manages a whole node group (it would have to be given every property and purges tags and labels
it was not told about). eks_nodegroup_capacity touches only the desired size, on purpose: emergency
scaling must stay within the node group's minimum. Putting an environment to sleep needs the
minimum too (a node group cannot go to zero nodes while its minimum is above zero), and it acts on
every node group at once: this module checks ALL of them before changing ANY (one refusal names
every problem), and reports one diff for the whole step, which an Ansible loop would hide behind
"One or more items failed". The maximum is never changed (Pulumi owns it).
"""

from __future__ import annotations

import contextlib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.platformkit.runbooks.plugins.module_utils.eks_nodegroups import describe_nodegroup, scaling

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
module: eks_nodegroups_scaling
short_description: Read or set the minimum and desired size of EKS managed node groups
description:
  - Reads the scaling configuration (minimum, maximum, desired size) and status of several managed node groups of one
    EKS cluster.
  - For each node group given with O(node_groups[].min_size) and/or O(node_groups[].desired_size), sets those sizes
    with one C(UpdateNodegroupConfig) call per node group that differs; the maximum is never changed.
  - Checks every node group before changing any, and refuses (changing nothing) when a resulting configuration would
    break C(0 <= minSize <= desiredSize <= maxSize).
  - Idempotent; supports check mode and diff mode. After a partial failure, running it again updates only the node
    groups that still differ.
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  node_groups:
    description: The node groups, in the order they are read and updated.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the managed node group.
        required: true
        type: str
      min_size:
        description: New minimum number of nodes. Omit to keep the current minimum.
        type: int
      desired_size:
        description: New desired number of nodes. Omit to keep the current desired size.
        type: int
author:
  - platform team
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read two node groups
  platformkit.runbooks.eks_nodegroups_scaling:
    cluster_name: acme-dev-eks
    node_groups:
      - name: acme-dev-eks-system
      - name: acme-dev-eks-workloads
  register: groups

- name: Scale both to zero nodes
  platformkit.runbooks.eks_nodegroups_scaling:
    cluster_name: acme-dev-eks
    node_groups:
      - {name: acme-dev-eks-system, min_size: 0, desired_size: 0}
      - {name: acme-dev-eks-workloads, min_size: 0, desired_size: 0}
"""

RETURN = r"""
node_groups:
  description: Each node group by name, after the call (in check mode, what it would be).
  returned: always
  type: dict
  contains:
    status:
      description: Node group status, e.g. ACTIVE or UPDATING.
      type: str
    scaling_config:
      description: Minimum, maximum and desired size (min_size, max_size, desired_size).
      type: dict
updated:
  description: Names of the node groups whose sizes were (in check mode, would be) changed.
  returned: always
  type: list
  elements: str
update_ids:
  description: IDs of the EKS updates started, by node group name.
  returned: when changed and not in check mode
  type: dict
"""


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "cluster_name": {"type": "str", "required": True},
            "node_groups": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "min_size": {"type": "int"},
                    "desired_size": {"type": "int"},
                },
            },
        },
        supports_check_mode=True,
    )
    cluster = module.params["cluster_name"]
    wanted = module.params["node_groups"]
    names = [g["name"] for g in wanted]
    if len(set(names)) != len(names):
        module.fail_json(msg=f"node_groups names a node group twice: {names}")
    client = module.client("eks", retry_decorator=AWSRetry.jittered_backoff())

    live = {g["name"]: describe_nodegroup(client, module, cluster, g["name"]) for g in wanted}
    before = {name: scaling(group) for name, group in live.items()}
    after = {}
    problems = []
    for group in wanted:
        name = group["name"]
        current = before[name]
        target = dict(current)
        for key in ("min_size", "desired_size"):
            if group[key] is not None:
                target[key] = group[key]
        low, desired, high = target["min_size"], target["desired_size"], target["max_size"]
        if None in (low, desired, high) or not 0 <= low <= desired <= high:
            problems.append(f"{name} would have minSize {low}, desiredSize {desired}, maxSize {high}")
        after[name] = target
    if problems:
        module.fail_json(
            msg="refused, nothing was changed: "
            + "; ".join(problems)
            + " (EKS needs 0 <= minSize <= desiredSize <= maxSize; the maximum is never changed here)",
            node_groups={n: {"status": live[n].get("status"), "scaling_config": before[n]} for n in names},
        )

    changing = [n for n in names if after[n] != before[n]]
    result = {
        "changed": bool(changing),
        "updated": changing,
        "node_groups": {n: {"status": live[n].get("status"), "scaling_config": after[n]} for n in names},
    }
    if changing:
        keys = ("min_size", "desired_size")
        result["diff"] = {
            "before": {n: {k: before[n][k] for k in keys} for n in changing},
            "after": {n: {k: after[n][k] for k in keys} for n in changing},
            "before_header": cluster,
            "after_header": cluster,
        }
    if module.check_mode or not changing:
        module.exit_json(**result)

    update_ids = {}
    for name in changing:
        config = {"desiredSize": after[name]["desired_size"]}
        if after[name]["min_size"] != before[name]["min_size"]:
            config["minSize"] = after[name]["min_size"]
        try:
            update = client.update_nodegroup_config(clusterName=cluster, nodegroupName=name, scalingConfig=config, aws_retry=True)
        except (BotoCoreError, ClientError) as e:
            done = [n for n in changing if n in update_ids]
            module.fail_json_aws(
                e,
                msg=f"cannot set the scaling of node group {name} to {config}"
                + (f" (already updated: {', '.join(done)})" if done else ""),
            )
        update_ids[name] = update.get("update", {}).get("id")
    result["update_ids"] = update_ids
    for name in names:
        result["node_groups"][name]["status"] = describe_nodegroup(client, module, cluster, name).get("status")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
