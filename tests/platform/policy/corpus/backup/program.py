"""AWS Backup: an encrypted vault, a plan with lifecycle and cross-region copy rules, selections by ARN and by tag; and a careless setup.

Each variant also declares the EBS volume and EFS file system its selections should cover, so
Checkov's graph checks (EBS / EFS added to a backup plan) follow the selection's references.
``aws_backup_vault_lock_configuration`` is left out: pulumi-aws's ``aws:backup/vaultLockConfiguration``
is not in the bridge's mapping table.
"""

import pulumi_aws as aws
from corpus_common import TAGS, account_key_policy

_BACKUP_ROLE = "arn:aws:iam::123456789012:role/acme-corpus-backup-service"
_DR_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:acme-corpus-backup-dr"


def secure() -> None:
    key = aws.kms.Key(
        "backup-vault",
        description="backup vault and protected data",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy(),
        tags=TAGS,
    )
    vault = aws.backup.Vault(
        "backup-primary", name="acme-corpus-backup-primary", kms_key_arn=key.arn, force_destroy=False, tags=TAGS
    )
    volume = aws.ebs.Volume(
        "backup-ledger",
        availability_zone="eu-west-1a",
        size=200,
        type="gp3",
        encrypted=True,
        kms_key_id=key.arn,
        tags=TAGS,
    )
    files = aws.efs.FileSystem(
        "backup-shared",
        creation_token="acme-corpus-backup-shared",
        encrypted=True,
        kms_key_id=key.arn,
        performance_mode="generalPurpose",
        throughput_mode="elastic",
        lifecycle_policies=[{"transition_to_ia": "AFTER_30_DAYS"}, {"transition_to_primary_storage_class": "AFTER_1_ACCESS"}],
        tags=TAGS,
    )
    plan = aws.backup.Plan(
        "backup-daily",
        name="acme-corpus-backup-daily",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": vault.name,
                "schedule": "cron(0 3 * * ? *)",
                "schedule_expression_timezone": "Europe/London",
                "start_window": 60,
                "completion_window": 360,
                "lifecycle": {"cold_storage_after": 30, "delete_after": 365},
                "copy_actions": [
                    {"destination_vault_arn": _DR_VAULT, "lifecycle": {"cold_storage_after": 30, "delete_after": 365}}
                ],
                "recovery_point_tags": TAGS,
            },
            {
                "rule_name": "monthly",
                "target_vault_name": vault.name,
                "schedule": "cron(0 4 1 * ? *)",
                "start_window": 120,
                "completion_window": 720,
                "lifecycle": {"cold_storage_after": 90, "delete_after": 2555},
            },
        ],
        advanced_backup_settings=[{"resource_type": "EC2", "backup_options": {"WindowsVSS": "enabled"}}],
        tags=TAGS,
    )
    aws.backup.Selection(
        "backup-by-arn",
        name="acme-corpus-backup-by-arn",
        plan_id=plan.id,
        iam_role_arn=_BACKUP_ROLE,
        resources=[volume.arn, files.arn],
    )
    aws.backup.Selection(
        "backup-by-tag",
        name="acme-corpus-backup-by-tag",
        plan_id=plan.id,
        iam_role_arn=_BACKUP_ROLE,
        resources=["*"],
        selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}],
        conditions=[
            {
                "string_equals": [{"key": "aws:ResourceTag/environment", "value": "corpus"}],
                "string_not_likes": [{"key": "aws:ResourceTag/backup-exempt", "value": "true*"}],
            }
        ],
    )


def insecure() -> None:
    vault = aws.backup.Vault("backup-scratch", name="acme-corpus-backup-scratch", force_destroy=True)
    aws.ebs.Volume("backup-orphan", availability_zone="eu-west-1b", size=100, type="gp2", encrypted=False)
    aws.efs.FileSystem("backup-orphan", creation_token="acme-corpus-backup-orphan", encrypted=False)
    plan = aws.backup.Plan(
        "backup-adhoc",
        name="acme-corpus-backup-adhoc",
        rules=[{"rule_name": "weekly", "target_vault_name": vault.name, "schedule": "cron(0 5 ? * SUN *)"}],
    )
    aws.backup.Selection(
        "backup-adhoc",
        name="acme-corpus-backup-adhoc",
        plan_id=plan.id,
        iam_role_arn="arn:aws:iam::123456789012:role/Administrator",
        resources=["arn:aws:dynamodb:eu-west-1:123456789012:table/acme-corpus-backup-adhoc"],
    )
