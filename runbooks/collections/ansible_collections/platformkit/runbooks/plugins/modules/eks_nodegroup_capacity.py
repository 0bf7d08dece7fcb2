#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""Read, and optionally set, the desired size of one EKS managed node group (nothing else).

Why a module of our own: community.aws.eks_nodegroup manages a whole node group. Pointed at a
group Pulumi owns it would have to be given every property (role, subnets, launch template,
labels, taints, tags) and would remove what it was not told about (it purges tags and labels
by default). Emergency scaling must touch exactly one number, the desired size, which Pulumi
ignores after creation (ignore_changes on scalingConfig.desiredSize), so no deploy reverts it.
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
module: eks_nodegroup_capacity
short_description: Read or set the desired size of an EKS managed node group
description:
  - Reads the scaling configuration (minimum, maximum, desired size) and status of one EKS managed node group.
  - When O(desired_size) is given, sets only the desired size with C(UpdateNodegroupConfig); the minimum and maximum
    are never changed. Refuses a desired size outside the group's current minimum and maximum.
  - Idempotent; supports check mode and diff mode.
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  name:
    description: Name of the managed node group.
    required: true
    type: str
  desired_size:
    description:
      - Desired number of nodes. Omit to only read the node group.
    type: int
author:
  - platform team
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the node group
  platformkit.runbooks.eks_nodegroup_capacity:
    cluster_name: acme-dev-eks
    name: acme-dev-eks-workloads
  register: nodegroup

- name: Scale it to 3 nodes
  platformkit.runbooks.eks_nodegroup_capacity:
    cluster_name: acme-dev-eks
    name: acme-dev-eks-workloads
    desired_size: 3
"""

RETURN = r"""
nodegroup_name:
  description: Name of the node group.
  returned: always
  type: str
status:
  description: Node group status, e.g. ACTIVE or UPDATING.
  returned: always
  type: str
scaling_config:
  description: The scaling configuration after the call (in check mode, what it would be).
  returned: always
  type: dict
  contains:
    min_size:
      description: Minimum nodes.
      type: int
    max_size:
      description: Maximum nodes.
      type: int
    desired_size:
      description: Desired nodes.
      type: int
update_id:
  description: ID of the EKS update that was started, when one was.
  returned: when changed and not in check mode
  type: str
"""


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "cluster_name": {"type": "str", "required": True},
            "name": {"type": "str", "required": True},
            "desired_size": {"type": "int"},
        },
        supports_check_mode=True,
    )
    cluster = module.params["cluster_name"]
    name = module.params["name"]
    desired = module.params["desired_size"]
    client = module.client("eks", retry_decorator=AWSRetry.jittered_backoff())

    nodegroup = describe_nodegroup(client, module, cluster, name)
    before = scaling(nodegroup)
    result = {"changed": False, "nodegroup_name": name, "status": nodegroup.get("status"), "scaling_config": before}
    if desired is None or desired == before["desired_size"]:
        module.exit_json(**result)

    low, high = before["min_size"], before["max_size"]
    if low is None or high is None or not low <= desired <= high:
        module.fail_json(
            msg=f"desired size {desired} is outside node group {name}'s bounds {low}..{high}; nothing was changed",
            **result,
        )
    after = dict(before, desired_size=desired)
    result.update(
        changed=True,
        scaling_config=after,
        diff={
            "before": {"desired_size": before["desired_size"]},
            "after": {"desired_size": desired},
            "before_header": f"{cluster}/{name}",
            "after_header": f"{cluster}/{name}",
        },
    )
    if module.check_mode:
        module.exit_json(**result)
    try:
        update = client.update_nodegroup_config(
            clusterName=cluster, nodegroupName=name, scalingConfig={"desiredSize": desired}, aws_retry=True
        )
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"cannot set the desired size of node group {name} to {desired}")
    result["update_id"] = update.get("update", {}).get("id")
    result["status"] = describe_nodegroup(client, module, cluster, name).get("status")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
