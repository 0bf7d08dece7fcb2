"""Compute: an EBS volume, an EC2 instance, an ECR repository with its lifecycle policy, a Lambda function and its permissions."""

import json

import pulumi_aws as aws
from corpus_common import TAGS, account_key_policy

_AMI = "ami-0a1b2c3d4e5f67890"
_SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
_SECURITY_GROUPS = ["sg-0a1b2c3d4e5f60001"]

_LIFECYCLE_POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "expire untagged images after 14 days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "keep the last 50 release images",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["v"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 50,
                },
                "action": {"type": "expire"},
            },
        ]
    }
)


def secure() -> None:
    key = aws.kms.Key(
        "compute-workloads",
        description="compute workloads",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy(),
        tags=TAGS,
    )
    volume = aws.ebs.Volume(
        "compute-data",
        availability_zone="eu-west-1a",
        size=100,
        type="gp3",
        iops=3000,
        throughput=125,
        encrypted=True,
        kms_key_id=key.arn,
        final_snapshot=True,
        tags=TAGS,
    )
    instance = aws.ec2.Instance(
        "compute-app",
        ami=_AMI,
        instance_type="m6i.large",
        subnet_id=_SUBNETS[0],
        vpc_security_group_ids=_SECURITY_GROUPS,
        iam_instance_profile="acme-corpus-app",
        associate_public_ip_address=False,
        ebs_optimized=True,
        monitoring=True,
        disable_api_termination=True,
        metadata_options={
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "enabled",
        },
        root_block_device={
            "volume_type": "gp3",
            "volume_size": 50,
            "encrypted": True,
            "kms_key_id": key.arn,
            "delete_on_termination": True,
        },
        ebs_block_devices=[
            {
                "device_name": "/dev/sdf",
                "volume_type": "gp3",
                "volume_size": 200,
                "encrypted": True,
                "kms_key_id": key.arn,
                "delete_on_termination": True,
            }
        ],
        tags=TAGS,
    )
    aws.backup.Selection(
        "compute-data",
        name="acme-corpus-compute-data",
        plan_id="4f1c2a3b-5d6e-7f80-9a1b-2c3d4e5f6a7b",
        iam_role_arn="arn:aws:iam::123456789012:role/acme-corpus-backup",
        resources=[volume.arn, instance.arn],
    )
    repo = aws.ecr.Repository(
        "compute-api",
        name="acme-corpus-compute-api",
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
        force_delete=False,
        tags=TAGS,
    )
    aws.ecr.LifecyclePolicy("compute-api", repository=repo.name, policy=_LIFECYCLE_POLICY)
    function = aws.lambda_.Function(
        "compute-worker",
        name="acme-corpus-compute-worker",
        role="arn:aws:iam::123456789012:role/acme-corpus-compute-worker",
        runtime="python3.12",
        handler="worker.handler",
        architectures=["arm64"],
        s3_bucket="acme-corpus-artifacts",
        s3_key="compute-worker/1.4.2.zip",
        s3_object_version="3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        memory_size=512,
        timeout=30,
        kms_key_arn=key.arn,
        environment={"variables": {"LOG_LEVEL": "info", "QUEUE_NAME": "acme-corpus-compute-jobs"}},
        tracing_config={"mode": "Active"},
        dead_letter_config={"target_arn": "arn:aws:sqs:eu-west-1:123456789012:acme-corpus-compute-worker-dlq"},
        reserved_concurrent_executions=20,
        vpc_config={"subnet_ids": _SUBNETS, "security_group_ids": _SECURITY_GROUPS},
        code_signing_config_arn="arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f67890",
        logging_config={"log_format": "JSON", "application_log_level": "INFO", "system_log_level": "WARN"},
        ephemeral_storage={"size": 1024},
        tags=TAGS,
    )
    aws.lambda_.Permission(
        "compute-worker-events",
        statement_id="AllowEventBridgeSchedule",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="events.amazonaws.com",
        source_arn="arn:aws:events:eu-west-1:123456789012:rule/acme-corpus-compute-worker-schedule",
        source_account="123456789012",
    )


def insecure() -> None:
    aws.ebs.Volume("compute-scratch", availability_zone="eu-west-1b", size=500, type="gp2", encrypted=False)
    aws.ec2.Instance(
        "compute-bastion",
        ami=_AMI,
        instance_type="t3.micro",
        subnet_id="subnet-0a1b2c3d4e5f6ffff",
        associate_public_ip_address=True,
        ebs_optimized=False,
        monitoring=False,
        metadata_options={"http_endpoint": "enabled", "http_tokens": "optional"},
        root_block_device={"volume_type": "gp2", "volume_size": 20, "encrypted": False},
        user_data="#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    repo = aws.ecr.Repository(
        "compute-legacy",
        name="acme-corpus-compute-legacy",
        image_tag_mutability="MUTABLE",
        image_scanning_configuration={"scan_on_push": False},
        force_delete=True,
    )
    aws.ecr.LifecyclePolicy(
        "compute-legacy",
        repository=repo.name,
        policy=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1000},
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    function = aws.lambda_.Function(
        "compute-legacy-handler",
        name="acme-corpus-compute-legacy-handler",
        role="arn:aws:iam::123456789012:role/acme-corpus-compute-legacy-handler",
        runtime="python3.9",
        handler="app.handler",
        s3_bucket="acme-corpus-artifacts",
        s3_key="compute-legacy-handler/latest.zip",
        environment={
            "variables": {
                "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            }
        },
    )
    aws.lambda_.Permission(
        "compute-legacy-handler-public",
        action="lambda:InvokeFunctionUrl",
        function=function.name,
        principal="*",
        function_url_auth_type="NONE",
    )
    aws.lambda_.Permission(
        "compute-legacy-handler-s3",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="s3.amazonaws.com",
    )
