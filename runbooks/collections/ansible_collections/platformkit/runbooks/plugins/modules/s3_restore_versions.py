#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""Bring the objects under a prefix of a versioned bucket back to how they were at a point in time.

Why a module of our own: amazon.aws.s3_object handles one object per call, cannot delete a given
delete marker (a version ID of a delete marker) and has no notion of "the version current at time T".
A restore must first compute, for every key under the prefix, which version was current at T, from
ListObjectVersions, and then act on only the keys deleted or overwritten after T; doing that with
s3_object would take several tasks and one AWS call per key and version in a loop.

For each key under the prefix, with V the newest version or delete marker written at or before T:

- V is an object version and only delete markers were written after it: the object was DELETED after T.
  Those delete markers are removed (DeleteObject with their version IDs), so V is current again
  (nothing is copied; V keeps its own version ID, metadata and tags).
- V is an object version and newer object versions exist: the object was OVERWRITTEN after T. V is
  copied over the key (CopyObject with V's version ID: a new current version with V's content and
  metadata), tagged ``restored-from-version=<V's version ID>`` besides V's own tags. That tag is how
  a second run knows the key is already restored (a copy has its own version ID and, with SSE-KMS,
  its own ETag).
- No version at or before T (created after T), V is a delete marker (already deleted at T) or V is
  current: left alone.

Idempotent: after a restore, every key is in one of the "left alone" states. Supports check mode
(the plan, nothing written) and diff mode (per key, the state now and after the restore).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from urllib.parse import quote

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
module: s3_restore_versions
short_description: Restore the objects under a prefix of a versioned S3 bucket to a point in time
description:
  - For every key under O(prefix) of the versioned bucket O(bucket), finds the version that was current at
    O(restore_point). Keys deleted after that time get their delete markers removed; keys overwritten after it
    get that version copied back as the current version (tagged C(restored-from-version)). Keys created after
    it, or unchanged since, are left alone.
  - With O(mode=plan) only computes what would be done (never changes anything); with O(mode=verify) fails when
    anything under the prefix still differs from the restore point.
  - Idempotent; supports check mode and diff mode.
options:
  bucket:
    description: Name of the versioned bucket.
    required: true
    type: str
  prefix:
    description: Key prefix of the objects to restore (e.g. C(reports/2026/)).
    required: true
    type: str
  restore_point:
    description: The point in time, ISO 8601 in UTC (C(YYYY-MM-DDTHH:MM:SSZ)). Changes made in the same second count as before it.
    required: true
    type: str
  mode:
    description: C(restore) acts (in check mode, reports), C(plan) only reports, C(verify) fails when something differs.
    type: str
    choices: [restore, plan, verify]
    default: restore
  max_objects:
    description: Refuse (before changing anything) when more keys than this would be restored.
    type: int
    default: 1000
author:
  - platform team
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Restore reports/ to how it was at 09:00 UTC
  platformkit.runbooks.s3_restore_versions:
    bucket: acme-dev-artifacts-111111111111
    prefix: reports/
    restore_point: "2026-01-31T09:00:00Z"
"""

RETURN = r"""
plan:
  description: The keys to restore (before acting), sorted by key.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Object key.
      type: str
    action:
      description: C(remove-delete-markers) or C(copy-version).
      type: str
    restore_version:
      description: Version ID that was current at the restore point.
      type: str
    restore_version_time:
      description: When that version was written.
      type: str
    now:
      description: What the key is now, e.g. C(deleted at 2026-01-31T10:12:00Z).
      type: str
    delete_markers:
      description: Version IDs of the delete markers that are removed (remove-delete-markers only).
      type: list
      elements: str
    line:
      description: The above in one line, for people.
      type: str
keys_seen:
  description: How many keys (with any version) are under the prefix.
  returned: always
  type: int
restored:
  description: Keys restored by this call (empty in check mode and when nothing was to do).
  returned: always
  type: list
  elements: str
"""

RESTORED_TAG = "restored-from-version"
MAX_OBJECT_TAGS = 10
MAX_COPY_BYTES = 5 * 1024**3
"""CopyObject copies at most 5 GiB; bigger objects need a multipart copy."""


def stamp(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_point(module, text):
    try:
        point = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        module.fail_json(msg=f"restore_point {text!r} is not YYYY-MM-DDTHH:MM:SSZ (UTC)")
    return point


def check_bucket(client, module, bucket):
    try:
        status = client.get_bucket_versioning(Bucket=bucket, aws_retry=True).get("Status")
    except is_boto3_error_code(["NoSuchBucket", "404"]):
        module.fail_json(msg=f"bucket {bucket} does not exist in this account")
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"cannot read the versioning of bucket {bucket}")
    if status not in ("Enabled", "Suspended"):
        module.fail_json(
            msg=f"bucket {bucket} has never had versioning on, so it keeps no previous versions to restore; nothing was changed"
        )


def history(client, module, bucket, prefix):
    """Every key under the prefix -> its versions and delete markers, newest first."""
    keys = {}
    try:
        paginator = client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                keys.setdefault(version["Key"], []).append(dict(version, marker=False))
            for marker in page.get("DeleteMarkers", []):
                keys.setdefault(marker["Key"], []).append(dict(marker, marker=True))
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"cannot list the versions under s3://{bucket}/{prefix}")
    for items in keys.values():
        # Newest first; on a tie in the (second-precision) time, the current one first.
        items.sort(key=lambda v: (v["LastModified"], v.get("IsLatest", False)), reverse=True)
    return keys


def current_tags(client, module, bucket, key, version_id):
    try:
        reply = client.get_object_tagging(Bucket=bucket, Key=key, VersionId=version_id, aws_retry=True)
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"cannot read the tags of s3://{bucket}/{key} version {version_id}")
    return {t["Key"]: t["Value"] for t in reply.get("TagSet", [])}


def plan_key(client, module, bucket, key, items, point):
    """What to do for one key, or None."""
    current = next((v for v in items if v.get("IsLatest")), items[0])
    before = [v for v in items if v["LastModified"] <= point]
    if not before:
        return None  # created after the restore point: not ours to remove
    wanted = before[0]
    if wanted["marker"] or wanted["VersionId"] == current["VersionId"]:
        return None  # already deleted at the restore point, or unchanged since
    after = [v for v in items if v["LastModified"] > point]
    now = (
        f"deleted at {stamp(current['LastModified'])}"
        if current["marker"]
        else f"version {current['VersionId']} written at {stamp(current['LastModified'])}"
    )
    entry = {
        "key": key,
        "restore_version": wanted["VersionId"],
        "restore_version_time": stamp(wanted["LastModified"]),
        "now": now,
        "delete_markers": [],
    }
    if all(v["marker"] for v in after):
        entry.update(action="remove-delete-markers", delete_markers=[v["VersionId"] for v in after])
        entry["line"] = f"{key}: {now} -> {describe(entry)} (remove {len(after)} delete marker(s))"
        return entry
    if not current["marker"]:
        tags = current_tags(client, module, bucket, key, current["VersionId"])
        if tags.get(RESTORED_TAG) == wanted["VersionId"]:
            return None  # a copy of the wanted version is current: restored earlier
    entry.update(action="copy-version", size=wanted.get("Size", 0))
    entry["line"] = f"{key}: {now} -> {describe(entry)} (copied back)"
    return entry


def restore(client, module, bucket, entry, done):
    """Restore one key; ``done`` (keys restored so far) goes into the failure result."""
    key = entry["key"]
    try:
        if entry["action"] == "remove-delete-markers":
            for marker in entry["delete_markers"]:
                client.delete_object(Bucket=bucket, Key=key, VersionId=marker, aws_retry=True)
            return
        if entry.get("size", 0) > MAX_COPY_BYTES:
            module.fail_json(
                msg=f"s3://{bucket}/{key} version {entry['restore_version']} is larger than 5 GiB, which CopyObject cannot "
                f"copy; restore it with: aws s3api get-object --bucket {bucket} --key {key} --version-id "
                f"{entry['restore_version']} FILE, then aws s3 cp FILE s3://{bucket}/{key}",
                restored=done,
            )
        tags = current_tags(client, module, bucket, key, entry["restore_version"])
        tags[RESTORED_TAG] = entry["restore_version"]
        if len(tags) > MAX_OBJECT_TAGS:
            module.fail_json(
                msg=f"s3://{bucket}/{key} version {entry['restore_version']} already has {MAX_OBJECT_TAGS} tags, so the "
                f"restored copy cannot carry the {RESTORED_TAG} tag; restore it by hand with aws s3api copy-object",
                restored=done,
            )
        client.copy_object(
            Bucket=bucket,
            Key=key,
            CopySource={"Bucket": bucket, "Key": key, "VersionId": entry["restore_version"]},
            MetadataDirective="COPY",
            TaggingDirective="REPLACE",
            Tagging="&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(tags.items())),
            aws_retry=True,
        )
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(
            e,
            msg=f"cannot restore s3://{bucket}/{key} to version {entry['restore_version']} (restored before it: "
            f"{len(done)} key(s); run again to continue, restored keys are not touched twice)",
            restored=done,
        )


def describe(entry):
    if entry is None:
        return "unchanged"
    return f"version {entry['restore_version']} written at {entry['restore_version_time']}"


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "bucket": {"type": "str", "required": True},
            "prefix": {"type": "str", "required": True},
            "restore_point": {"type": "str", "required": True},
            "mode": {"type": "str", "choices": ["restore", "plan", "verify"], "default": "restore"},
            "max_objects": {"type": "int", "default": 1000},
        },
        supports_check_mode=True,
    )
    bucket = module.params["bucket"]
    prefix = module.params["prefix"]
    mode = module.params["mode"]
    point = parse_point(module, module.params["restore_point"])
    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())

    check_bucket(client, module, bucket)
    keys = history(client, module, bucket, prefix)
    if not keys:
        module.fail_json(
            msg=f"no object and no previous version under s3://{bucket}/{prefix}: check the prefix; nothing was changed"
        )
    plan = [e for e in (plan_key(client, module, bucket, k, keys[k], point) for k in sorted(keys)) if e is not None]
    result = {"changed": False, "plan": plan, "keys_seen": len(keys), "restored": []}

    if mode == "plan":
        module.exit_json(**result)
    if mode == "verify":
        if plan:
            module.fail_json(
                msg=f"{len(plan)} key(s) under s3://{bucket}/{prefix} still differ from {module.params['restore_point']}, "
                f"e.g. {plan[0]['key']} ({plan[0]['now']})",
                **result,
            )
        module.exit_json(**result)
    if not plan:
        module.exit_json(**result)
    if len(plan) > module.params["max_objects"]:
        module.fail_json(
            msg=f"{len(plan)} keys under s3://{bucket}/{prefix} would be restored, more than max_objects="
            f"{module.params['max_objects']}; narrow the prefix or raise max_objects. Nothing was changed",
            **result,
        )
    result.update(
        changed=True,
        diff={
            "before": {e["key"]: e["now"] for e in plan},
            "after": {e["key"]: describe(e) for e in plan},
            "before_header": f"s3://{bucket}/{prefix} now",
            "after_header": f"s3://{bucket}/{prefix} as at {module.params['restore_point']}",
        },
    )
    if module.check_mode:
        module.exit_json(**result)
    done = []
    for entry in plan:
        restore(client, module, bucket, entry, done)
        done.append(entry["key"])
    result["restored"] = done
    module.exit_json(**result)


if __name__ == "__main__":
    main()
