"""RDS: a PostgreSQL DB instance and an Aurora PostgreSQL cluster with their parameter, subnet and security groups (pulumi-aws 7 style).

Secure: customer-KMS encryption (storage, Performance Insights, master secret), Multi-AZ, deletion
protection, 14-day backups plus an AWS Backup plan selecting both databases, IAM authentication,
enhanced monitoring, CloudWatch log exports, forced TLS and query logging in the parameter groups.
Insecure: publicly accessible, unencrypted, no backups, outdated engines and CA, TLS not enforced,
PostgreSQL reachable from 0.0.0.0/0.
"""

import pulumi_aws as aws
from corpus_common import TAGS, account_key_policy, assume_role_policy

VPC = "vpc-0rds0000000000001"
PRIVATE_SUBNETS = ["subnet-0rds00000000000a1", "subnet-0rds00000000000b2", "subnet-0rds00000000000c3"]
PUBLIC_SUBNETS = ["subnet-0rds0000000000pa1", "subnet-0rds0000000000pb2"]
QUERY_LOGGING = [
    {"name": "log_connections", "value": "1"},
    {"name": "log_disconnections", "value": "1"},
    {"name": "log_statement", "value": "ddl"},
    {"name": "log_min_duration_statement", "value": "500"},
]


def secure() -> None:
    key = aws.kms.Key(
        "rds_data",
        description="RDS storage, Performance Insights, master secrets and backups",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy("RdsDataKeyAdmin"),
        tags=TAGS,
    )
    monitoring_role = aws.iam.Role(
        "rds_monitoring",
        name="acme-corpus-rds-monitoring",
        assume_role_policy=assume_role_policy("monitoring.rds.amazonaws.com"),
        tags=TAGS,
    )
    aws.iam.RolePolicyAttachment(
        "rds_monitoring",
        role=monitoring_role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    )
    subnets = aws.rds.SubnetGroup(
        "orders",
        name="acme-corpus-pg-orders-subnets",
        description="private database subnets",
        subnet_ids=PRIVATE_SUBNETS,
        tags=TAGS,
    )
    firewall = aws.ec2.SecurityGroup(
        "rds_orders",
        name="acme-corpus-rds-orders",
        description="PostgreSQL from the application subnets",
        vpc_id=VPC,
        ingress=[
            {
                "description": "PostgreSQL from the application subnets",
                "protocol": "tcp",
                "from_port": 5432,
                "to_port": 5432,
                "cidr_blocks": ["10.20.0.0/16"],
            }
        ],
        egress=[
            {
                "description": "replies inside the VPC",
                "protocol": "tcp",
                "from_port": 1024,
                "to_port": 65535,
                "cidr_blocks": ["10.20.0.0/16"],
            }
        ],
        tags=TAGS,
    )
    parameters = aws.rds.ParameterGroup(
        "orders_postgres16",
        name="acme-corpus-pg-orders-postgres16",
        family="postgres16",
        description="orders: TLS only, connection and query logging",
        parameters=[{"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"}, *QUERY_LOGGING],
        tags=TAGS,
    )
    instance = aws.rds.Instance(
        "orders",
        identifier="acme-corpus-pg-orders",
        engine="postgres",
        engine_version="16.4",
        instance_class="db.m6g.large",
        allocated_storage=100,
        max_allocated_storage=500,
        storage_type="gp3",
        storage_encrypted=True,
        kms_key_id=key.arn,
        db_name="orders",
        username="orders_admin",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key.arn,
        iam_database_authentication_enabled=True,
        db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[firewall.id],
        parameter_group_name=parameters.name,
        publicly_accessible=False,
        multi_az=True,
        deletion_protection=True,
        backup_retention_period=14,
        backup_window="02:00-03:00",
        maintenance_window="sun:04:00-sun:05:00",
        copy_tags_to_snapshot=True,
        delete_automated_backups=False,
        skip_final_snapshot=False,
        final_snapshot_identifier="acme-corpus-pg-orders-final",
        auto_minor_version_upgrade=True,
        ca_cert_identifier="rds-ca-rsa2048-g1",
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key.arn,
        performance_insights_retention_period=7,
        monitoring_interval=30,
        monitoring_role_arn=monitoring_role.arn,
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
        tags=TAGS,
    )
    cluster_parameters = aws.rds.ClusterParameterGroup(
        "ledger_aurora_postgresql16",
        name="acme-corpus-ledger-aurora-postgresql16",
        family="aurora-postgresql16",
        description="ledger: TLS only, connection and query logging",
        parameters=[{"name": "rds.force_ssl", "value": "1"}, *QUERY_LOGGING],
        tags=TAGS,
    )
    cluster = aws.rds.Cluster(
        "ledger",
        cluster_identifier="acme-corpus-ledger",
        engine="aurora-postgresql",
        engine_version="16.4",
        database_name="ledger",
        master_username="ledger_admin",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key.arn,
        storage_encrypted=True,
        kms_key_id=key.arn,
        iam_database_authentication_enabled=True,
        db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[firewall.id],
        db_cluster_parameter_group_name=cluster_parameters.name,
        deletion_protection=True,
        backup_retention_period=14,
        preferred_backup_window="02:00-03:00",
        preferred_maintenance_window="sun:04:00-sun:05:00",
        copy_tags_to_snapshot=True,
        skip_final_snapshot=False,
        final_snapshot_identifier="acme-corpus-ledger-final",
        enabled_cloudwatch_logs_exports=["postgresql"],
        tags=TAGS,
    )
    for member in ("ledger_1", "ledger_2"):
        aws.rds.ClusterInstance(
            member,
            identifier=f"acme-corpus-{member.replace('_', '-')}",
            cluster_identifier=cluster.id,
            engine=cluster.engine,
            engine_version=cluster.engine_version,
            instance_class="db.r6g.large",
            db_subnet_group_name=subnets.name,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            copy_tags_to_snapshot=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=7,
            monitoring_interval=30,
            monitoring_role_arn=monitoring_role.arn,
            tags=TAGS,
        )
    vault = aws.backup.Vault("rds_databases", name="acme-corpus-rds", kms_key_arn=key.arn, tags=TAGS)
    plan = aws.backup.Plan(
        "rds_databases",
        name="acme-corpus-rds",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": vault.name,
                "schedule": "cron(0 3 * * ? *)",
                "start_window": 60,
                "completion_window": 360,
                "lifecycle": {"delete_after": 35},
            }
        ],
        tags=TAGS,
    )
    backup_role = aws.iam.Role(
        "rds_backup",
        name="acme-corpus-rds-backup",
        assume_role_policy=assume_role_policy("backup.amazonaws.com"),
        tags=TAGS,
    )
    aws.iam.RolePolicyAttachment(
        "rds_backup",
        role=backup_role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    )
    aws.backup.Selection(
        "rds_databases",
        name="acme-corpus-rds",
        plan_id=plan.id,
        iam_role_arn=backup_role.arn,
        resources=[instance.arn, cluster.arn],
    )


def insecure() -> None:
    firewall = aws.ec2.SecurityGroup(
        "rds_reporting",
        name="acme-corpus-rds-reporting",
        description="reporting database",
        vpc_id=VPC,
        ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["0.0.0.0/0"]}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    subnets = aws.rds.SubnetGroup("reporting", name="acme-corpus-reporting-subnets", subnet_ids=PUBLIC_SUBNETS)
    parameters = aws.rds.ParameterGroup(
        "reporting_postgres12",
        name="acme-corpus-reporting-postgres12",
        family="postgres12",
        parameters=[{"name": "rds.force_ssl", "value": "0"}, {"name": "log_connections", "value": "0"}],
    )
    aws.rds.Instance(
        "reporting",
        identifier="acme-corpus-reporting",
        engine="postgres",
        engine_version="12.5",
        instance_class="db.t3.medium",
        allocated_storage=20,
        storage_encrypted=False,
        db_name="reporting",
        username="reporting_admin",
        manage_master_user_password=True,
        db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[firewall.id],
        parameter_group_name=parameters.name,
        publicly_accessible=True,
        multi_az=False,
        deletion_protection=False,
        backup_retention_period=0,
        copy_tags_to_snapshot=False,
        skip_final_snapshot=True,
        auto_minor_version_upgrade=False,
        iam_database_authentication_enabled=False,
        performance_insights_enabled=False,
        monitoring_interval=0,
        ca_cert_identifier="rds-ca-2019",
    )
    cluster = aws.rds.Cluster(
        "reporting_aurora",
        cluster_identifier="acme-corpus-reporting-aurora",
        engine="aurora-postgresql",
        engine_version="11.7",
        database_name="reporting",
        master_username="reporting_admin",
        manage_master_user_password=True,
        storage_encrypted=False,
        db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[firewall.id],
        deletion_protection=False,
        backup_retention_period=1,
        copy_tags_to_snapshot=False,
        iam_database_authentication_enabled=False,
        skip_final_snapshot=True,
    )
    aws.rds.ClusterInstance(
        "reporting_aurora_1",
        identifier="acme-corpus-reporting-aurora-1",
        cluster_identifier=cluster.id,
        engine="aurora-postgresql",
        engine_version="11.7",
        instance_class="db.t3.medium",
        db_subnet_group_name=subnets.name,
        publicly_accessible=True,
        auto_minor_version_upgrade=False,
        performance_insights_enabled=False,
    )
