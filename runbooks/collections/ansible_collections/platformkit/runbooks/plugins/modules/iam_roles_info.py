#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""List IAM roles under a path, or one role by name, WITH their tags: read-only.

Why a module of our own: amazon.aws.iam_role_info lists roles by path with ListRoles, which does
not return tags (AWS documents that only GetRole does), so the tags that record a break-glass
grant's engineer and expiry would be missing; it also emits a deprecation warning on every call.
"""

from __future__ import annotations

import contextlib
import json
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
module: iam_roles_info
short_description: List IAM roles under a path, or one role, with their tags and policies
description:
  - Lists the IAM roles whose path starts with O(path_prefix), or the role called O(name), each with its tags, trust
    policy, attached managed policies and inline policy names (C(ListRoles) or C(GetRole), then C(GetRole),
    C(ListAttachedRolePolicies) and C(ListRolePolicies) per role).
  - Read-only; supports check mode. A role that does not exist is simply not listed.
options:
  path_prefix:
    description: Path prefix, starting and ending with C(/), e.g. C(/break-glass/).
    type: str
  name:
    description: Name of one role.
    type: str
author:
  - platform team
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Break-glass roles with their tags
  platformkit.runbooks.iam_roles_info:
    path_prefix: /break-glass/
  register: grants
"""

RETURN = r"""
roles:
  description: The roles, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    role_name:
      description: Name.
      type: str
    arn:
      description: ARN (with the path).
      type: str
    path:
      description: Path.
      type: str
    tags:
      description: Tags as a dict.
      type: dict
    trust_policy:
      description: The trust (assume-role) policy document.
      type: dict
    managed_policies:
      description: ARNs of the attached managed policies.
      type: list
    inline_policies:
      description: Names of the inline policies.
      type: list
    max_session_duration:
      description: Longest session, in seconds.
      type: int
"""


def policy_document(value):
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value or {}


def describe(client, name):
    role = client.get_role(RoleName=name, aws_retry=True)["Role"]
    attached = client.get_paginator("list_attached_role_policies").paginate(RoleName=name).build_full_result()
    inline = client.get_paginator("list_role_policies").paginate(RoleName=name).build_full_result()
    return {
        "role_name": role["RoleName"],
        "arn": role["Arn"],
        "path": role.get("Path", "/"),
        "tags": {t["Key"]: t["Value"] for t in role.get("Tags", [])},
        "trust_policy": policy_document(role.get("AssumeRolePolicyDocument")),
        "managed_policies": sorted(p["PolicyArn"] for p in attached.get("AttachedPolicies", [])),
        "inline_policies": sorted(inline.get("PolicyNames", [])),
        "max_session_duration": role.get("MaxSessionDuration"),
    }


def main():
    module = AnsibleAWSModule(
        argument_spec={"path_prefix": {"type": "str"}, "name": {"type": "str"}},
        mutually_exclusive=[["path_prefix", "name"]],
        required_one_of=[["path_prefix", "name"]],
        supports_check_mode=True,
    )
    client = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    name = module.params["name"]
    try:
        if name:
            names = [name]
        else:
            listing = client.get_paginator("list_roles").paginate(PathPrefix=module.params["path_prefix"]).build_full_result()
            names = [r["RoleName"] for r in listing.get("Roles", [])]
        roles = []
        for role_name in sorted(names):
            try:
                roles.append(describe(client, role_name))
            except is_boto3_error_code("NoSuchEntity"):
                continue  # deleted meanwhile, or never existed
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="cannot read IAM roles " + (name or f"under {module.params['path_prefix']}"))
    module.exit_json(changed=False, roles=roles)


if __name__ == "__main__":
    main()
