# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""EKS node-group helpers shared by the capacity modules (eks_nodegroup_capacity, eks_nodegroups_scaling)."""

from __future__ import annotations

import contextlib

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError


def describe_nodegroup(client, module, cluster, name):
    """The node group's description; fails the module (nothing changed yet) when it is missing or unreadable."""
    try:
        return client.describe_nodegroup(clusterName=cluster, nodegroupName=name, aws_retry=True)["nodegroup"]
    except is_boto3_error_code("ResourceNotFoundException"):
        module.fail_json(msg=f"node group {name} of cluster {cluster} does not exist; nothing was changed")
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"cannot describe node group {name} of cluster {cluster}")


def scaling(nodegroup):
    """min_size, max_size and desired_size of a described node group."""
    config = nodegroup.get("scalingConfig") or {}
    return {
        "min_size": config.get("minSize"),
        "max_size": config.get("maxSize"),
        "desired_size": config.get("desiredSize"),
    }
