#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""Read, and optionally rotate now, the RDS-managed master user secret of one RDS instance.

Why a module of our own: no maintained module starts a rotation. community.aws.secretsmanager_secret
configures a secret (value, KMS key, tags, rotation schedule) and would rewrite or purge what it was
not told about; a secret managed by RDS must not be written at all, only rotated (RDS then sets the
new password on the instance itself). amazon.aws.rds_instance cannot rotate a managed master
password either (no RotateMasterUserPassword).

Idempotent by construction: the rotation's ClientRequestToken, which becomes the new version's ID,
is given by the caller (derived from the environment and a label). A version with that ID existing
means this rotation already happened, so it is never started twice; the module only reports where
that version stands (AWSPENDING while RDS rotates, then AWSCURRENT).
"""

from __future__ import annotations

import contextlib

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
module: rds_master_secret_rotation
short_description: Rotate the RDS-managed master user secret of an RDS instance
description:
  - Finds the Secrets Manager secret RDS manages for the instance's master user (C(ManageMasterUserPassword)) and
    reports its versions and staging labels.
  - With O(rotate=true), starts an immediate rotation (C(RotateSecret)) whose new version gets the ID
    O(rotation_token), unless a version with that ID exists already (then nothing is done).
  - Never reads or returns the secret's value. Supports check mode and diff mode.
options:
  db_instance_identifier:
    description: Identifier of the RDS instance.
    required: true
    type: str
  rotation_token:
    description: ID of the version this rotation creates (32 to 64 characters, e.g. a UUID derived from a label).
    required: true
    type: str
  rotate:
    description: Start the rotation when no version with ID O(rotation_token) exists. Default false (only read).
    type: bool
    default: false
author:
  - platform team
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Rotate the master credential of acme-dev-postgres (once per label)
  platformkit.runbooks.rds_master_secret_rotation:
    db_instance_identifier: acme-dev-postgres
    rotation_token: "{{ 'acme-dev-postgres/inc42' | to_uuid }}"
    rotate: true
"""

RETURN = r"""
secret_arn:
  description: ARN of the master user secret.
  returned: always
  type: str
secret_name:
  description: Name of the master user secret (C(rds!db-...)).
  returned: always
  type: str
secret_status:
  description: The instance's view of the secret (C(creating), C(active), C(rotating), C(impaired)).
  returned: always
  type: str
versions:
  description: Version ID -> staging labels, after the call (in check mode, as now).
  returned: always
  type: dict
current_version:
  description: ID of the version labelled AWSCURRENT.
  returned: always
  type: str
previous_version:
  description: ID of the version labelled AWSPREVIOUS, if any.
  returned: always
  type: str
pending_version:
  description: ID of the version labelled AWSPENDING, if any.
  returned: always
  type: str
token_version_stages:
  description: Staging labels of the version O(rotation_token), or null when it does not exist.
  returned: always
  type: list
  elements: str
last_rotated:
  description: When the secret was last rotated (ISO 8601), if ever.
  returned: always
  type: str
current_version_before:
  description: ID of the version that was AWSCURRENT before this call.
  returned: always
  type: str
last_rotated_before:
  description: RV(last_rotated) before this call.
  returned: always
  type: str
"""


def describe_instance(rds, module, identifier):
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier, aws_retry=True)["DBInstances"][0]
    except is_boto3_error_code("DBInstanceNotFound"):
        module.fail_json(msg=f"database {identifier} does not exist in this account and region")
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"cannot describe database {identifier}")


def describe_secret(secrets, module, arn):
    try:
        return secrets.describe_secret(SecretId=arn, aws_retry=True)
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"cannot describe the master user secret {arn}")


def labelled(versions, stage):
    return next((v for v, stages in versions.items() if stage in stages), None)


def state(instance, secret, token):
    versions = {v: sorted(stages) for v, stages in (secret.get("VersionIdsToStages") or {}).items()}
    last = secret.get("LastRotatedDate")
    return {
        "secret_arn": secret["ARN"],
        "secret_name": secret.get("Name"),
        "secret_status": (instance.get("MasterUserSecret") or {}).get("SecretStatus"),
        "versions": versions,
        "current_version": labelled(versions, "AWSCURRENT"),
        "previous_version": labelled(versions, "AWSPREVIOUS"),
        "pending_version": labelled(versions, "AWSPENDING"),
        "token_version_stages": versions.get(token),
        "last_rotated": last.isoformat() if last is not None else None,
    }


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "db_instance_identifier": {"type": "str", "required": True},
            "rotation_token": {"type": "str", "required": True},
            "rotate": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    identifier = module.params["db_instance_identifier"]
    token = module.params["rotation_token"]
    if not 32 <= len(token) <= 64:
        module.fail_json(msg=f"rotation_token must be 32 to 64 characters long (got {len(token)})")
    rds = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    secrets = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())

    instance = describe_instance(rds, module, identifier)
    arn = (instance.get("MasterUserSecret") or {}).get("SecretArn")
    if not arn:
        module.fail_json(
            msg=f"database {identifier} has no RDS-managed master user secret (ManageMasterUserPassword is off), so there "
            f"is nothing in Secrets Manager to rotate; the stack turns it on (pulumi up), or turn it on with aws rds "
            f"modify-db-instance --db-instance-identifier {identifier} --manage-master-user-password --apply-immediately"
        )
    result = dict(changed=False, **state(instance, describe_secret(secrets, module, arn), token))
    result.update(current_version_before=result["current_version"], last_rotated_before=result["last_rotated"])
    if not module.params["rotate"] or result["token_version_stages"] is not None:
        module.exit_json(**result)

    pending = result["pending_version"]
    if pending is not None and pending != result["current_version"]:
        module.fail_json(
            msg=f"a rotation of {result['secret_name']} is already in progress (version {pending} is AWSPENDING); wait "
            f"until it finishes (AWSCURRENT moves to it) and check the result, or cancel it with aws secretsmanager "
            f"cancel-rotate-secret --secret-id {arn}",
            **result,
        )
    result.update(
        changed=True,
        diff={
            "before": {"AWSCURRENT": result["current_version"]},
            "after": {"AWSCURRENT": token, "AWSPREVIOUS": result["current_version"]},
            "before_header": result["secret_name"],
            "after_header": result["secret_name"],
        },
    )
    if module.check_mode:
        module.exit_json(**result)
    try:
        secrets.rotate_secret(SecretId=arn, ClientRequestToken=token, RotateImmediately=True, aws_retry=True)
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"cannot start the rotation of {result['secret_name']}")
    after = state(describe_instance(rds, module, identifier), describe_secret(secrets, module, arn), token)
    result.update(after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
