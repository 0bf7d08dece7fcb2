"""Network: VPC, subnets, flow log to an encrypted log group, default/inline/per-rule security groups, NACLs and their rules.

Exercises the EC2 list blocks written with Pulumi's plural names (``ingress``/``egress`` on security
groups, default security groups and network ACLs), the v5+ per-rule resources
(``aws.vpc.SecurityGroupIngressRule``/``SecurityGroupEgressRule``) next to the legacy
``aws.ec2.SecurityGroupRule``, and lists of references (``subnet_ids``, ``security_group_ids``, ``vpc_security_group_ids``).
"""

import pulumi
import pulumi_aws as aws
from corpus_common import TAGS, account_key_policy, key_admin_statement, logs_key_statement, policy_document

_FLOW_LOG_KEY_POLICY = policy_document(
    key_admin_statement(),
    logs_key_statement(
        "CloudWatchLogsFlowLogs",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/acme/corpus/vpc/core-flow-logs",
        operator="ArnEquals",
    ),
)


def secure() -> None:
    key = aws.kms.Key(
        "core-flow-logs",
        description="core VPC flow logs",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=_FLOW_LOG_KEY_POLICY,
        tags=TAGS,
    )
    log_group = aws.cloudwatch.LogGroup(
        "core-flow-logs",
        name="/acme/corpus/vpc/core-flow-logs",
        kms_key_id=key.arn,
        retention_in_days=365,
        tags=TAGS,
    )
    vpc = aws.ec2.Vpc("core", cidr_block="10.20.0.0/16", enable_dns_support=True, enable_dns_hostnames=True, tags=TAGS)
    aws.ec2.FlowLog(
        "core",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn="arn:aws:iam::123456789012:role/acme-corpus-core-flow-logs",
        max_aggregation_interval=60,
        tags=TAGS,
    )
    # The default security group of the VPC, adopted with every rule removed.
    aws.ec2.DefaultSecurityGroup("core", vpc_id=vpc.id, revoke_rules_on_delete=True, tags=TAGS)

    subnet_a = aws.ec2.Subnet(
        "core-private-a",
        vpc_id=vpc.id,
        cidr_block="10.20.0.0/20",
        availability_zone="eu-west-1a",
        map_public_ip_on_launch=False,
        tags=TAGS,
    )
    subnet_b = aws.ec2.Subnet(
        "core-private-b",
        vpc_id=vpc.id,
        cidr_block="10.20.16.0/20",
        availability_zone="eu-west-1b",
        map_public_ip_on_launch=False,
        tags=TAGS,
    )
    subnet_data = aws.ec2.Subnet(
        "core-data-a",
        vpc_id=vpc.id,
        cidr_block="10.20.128.0/24",
        availability_zone="eu-west-1a",
        map_public_ip_on_launch=False,
        tags=TAGS,
    )

    # Interface endpoints: HTTPS from inside the VPC only, inline rules.
    endpoints = aws.ec2.SecurityGroup(
        "core-endpoints",
        name="acme-corpus-core-endpoints",
        description="Interface VPC endpoints of the core VPC",
        vpc_id=vpc.id,
        ingress=[
            {
                "description": "HTTPS from the core VPC",
                "from_port": 443,
                "to_port": 443,
                "protocol": "tcp",
                "cidr_blocks": ["10.20.0.0/16"],
            }
        ],
        egress=[
            {
                "description": "Responses within the core VPC",
                "from_port": 1024,
                "to_port": 65535,
                "protocol": "tcp",
                "cidr_blocks": ["10.20.0.0/16"],
            }
        ],
        tags=TAGS,
    )
    aws.ec2.VpcEndpoint(
        "core-ssm",
        vpc_id=vpc.id,
        service_name="com.amazonaws.eu-west-1.ssm",
        vpc_endpoint_type="Interface",
        private_dns_enabled=True,
        subnet_ids=[subnet_a.id],
        security_group_ids=[endpoints.id],
        tags=TAGS,
    )

    # Application servers: rules as separate resources (v5+ per-rule resources and one legacy rule).
    app = aws.ec2.SecurityGroup(
        "core-app",
        name="acme-corpus-core-app",
        description="Application servers of the core VPC",
        vpc_id=vpc.id,
        tags=TAGS,
    )
    aws.vpc.SecurityGroupIngressRule(
        "core-app-https",
        security_group_id=app.id,
        description="HTTPS from the private subnets",
        ip_protocol="tcp",
        from_port=8443,
        to_port=8443,
        cidr_ipv4="10.20.0.0/19",
        tags=TAGS,
    )
    aws.vpc.SecurityGroupEgressRule(
        "core-app-endpoints",
        security_group_id=app.id,
        description="HTTPS to the interface endpoints",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        referenced_security_group_id=endpoints.id,
        tags=TAGS,
    )
    aws.ec2.SecurityGroupRule(
        "core-app-postgres",
        type="egress",
        security_group_id=app.id,
        description="PostgreSQL in the data subnet",
        protocol="tcp",
        from_port=5432,
        to_port=5432,
        cidr_blocks=["10.20.128.0/24"],
    )
    ebs_key = aws.kms.Key(
        "core-app-ebs",
        description="core application volumes",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy(),
        tags=TAGS,
    )
    aws.ec2.LaunchTemplate(
        "core-app",
        name="acme-corpus-core-app",
        description="Application servers of the core VPC",
        image_id="ami-0c1c30571d2dae5c9",
        instance_type="m7g.large",
        vpc_security_group_ids=[app.id],
        metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "volume_size": 30,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "kms_key_id": ebs_key.arn,
                    "delete_on_termination": "true",
                },
            }
        ],
        tags=TAGS,
    )

    # Private subnets: inline NACL rules; the data subnet: NACL rules as separate resources.
    aws.ec2.NetworkAcl(
        "core-private",
        vpc_id=vpc.id,
        subnet_ids=[subnet_a.id, subnet_b.id],
        ingress=[
            {
                "rule_no": 100,
                "action": "allow",
                "protocol": "tcp",
                "cidr_block": "10.20.0.0/16",
                "from_port": 443,
                "to_port": 443,
            },
            {
                "rule_no": 110,
                "action": "allow",
                "protocol": "tcp",
                "cidr_block": "10.20.0.0/16",
                "from_port": 1024,
                "to_port": 65535,
            },
        ],
        egress=[
            {
                "rule_no": 100,
                "action": "allow",
                "protocol": "tcp",
                "cidr_block": "10.20.0.0/16",
                "from_port": 0,
                "to_port": 65535,
            }
        ],
        tags=TAGS,
    )
    data_acl = aws.ec2.NetworkAcl("core-data", vpc_id=vpc.id, subnet_ids=[subnet_data.id], tags=TAGS)
    aws.ec2.NetworkAclRule(
        "core-data-postgres-in",
        network_acl_id=data_acl.id,
        rule_number=100,
        egress=False,
        protocol="tcp",
        rule_action="allow",
        cidr_block="10.20.0.0/19",
        from_port=5432,
        to_port=5432,
    )
    aws.ec2.NetworkAclRule(
        "core-data-ephemeral-out",
        network_acl_id=data_acl.id,
        rule_number=100,
        egress=True,
        protocol="tcp",
        rule_action="allow",
        cidr_block="10.20.0.0/19",
        from_port=1024,
        to_port=65535,
    )
    pulumi.export("vpc", vpc.id)


def insecure() -> None:
    # No flow log, no tags; the default security group keeps AWS's allow-all rules.
    vpc = aws.ec2.Vpc("legacy", cidr_block="10.99.0.0/16")
    aws.ec2.DefaultSecurityGroup(
        "legacy",
        vpc_id=vpc.id,
        ingress=[{"protocol": "-1", "self": True, "from_port": 0, "to_port": 0}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    subnet = aws.ec2.Subnet("legacy-public", vpc_id=vpc.id, cidr_block="10.99.0.0/24", map_public_ip_on_launch=True)

    # A bastion group open to the world on SSH and RDP, rules without descriptions.
    aws.ec2.SecurityGroup(
        "legacy-bastion",
        name="acme-corpus-legacy-bastion",
        description="Bastion hosts",
        vpc_id=vpc.id,
        ingress=[
            {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
            {"from_port": 3389, "to_port": 3389, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]},
        ],
        egress=[{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}],
    )

    web = aws.ec2.SecurityGroup("legacy-web", name="acme-corpus-legacy-web", description="Web servers", vpc_id=vpc.id)
    aws.vpc.SecurityGroupIngressRule(
        "legacy-web-ssh",
        security_group_id=web.id,
        ip_protocol="tcp",
        from_port=22,
        to_port=22,
        cidr_ipv4="0.0.0.0/0",
    )
    aws.vpc.SecurityGroupIngressRule(
        "legacy-web-rdp-v6",
        security_group_id=web.id,
        ip_protocol="tcp",
        from_port=3389,
        to_port=3389,
        cidr_ipv6="::/0",
    )
    aws.vpc.SecurityGroupEgressRule(
        "legacy-web-all",
        security_group_id=web.id,
        ip_protocol="-1",
        from_port=0,
        to_port=0,
        cidr_ipv4="0.0.0.0/0",
    )

    db = aws.ec2.SecurityGroup("legacy-db", name="acme-corpus-legacy-db", description="Databases", vpc_id=vpc.id)
    aws.ec2.SecurityGroupRule(
        "legacy-db-any",
        type="ingress",
        security_group_id=db.id,
        protocol="tcp",
        from_port=0,
        to_port=65535,
        cidr_blocks=["0.0.0.0/0"],
    )

    # The public subnet's NACL allows everything; a second NACL is attached to no subnet.
    aws.ec2.NetworkAcl(
        "legacy-public",
        vpc_id=vpc.id,
        subnet_ids=[subnet.id],
        ingress=[{"rule_no": 100, "action": "allow", "protocol": "-1", "cidr_block": "0.0.0.0/0", "from_port": 0, "to_port": 0}],
        egress=[{"rule_no": 100, "action": "allow", "protocol": "-1", "cidr_block": "0.0.0.0/0", "from_port": 0, "to_port": 0}],
    )
    orphan = aws.ec2.NetworkAcl("legacy-orphan", vpc_id=vpc.id)
    aws.ec2.NetworkAclRule(
        "legacy-orphan-rdp",
        network_acl_id=orphan.id,
        rule_number=100,
        egress=False,
        protocol="tcp",
        rule_action="allow",
        cidr_block="0.0.0.0/0",
        from_port=3389,
        to_port=3389,
    )
    aws.ec2.NetworkAclRule(
        "legacy-orphan-all",
        network_acl_id=orphan.id,
        rule_number=200,
        egress=False,
        protocol="-1",
        rule_action="allow",
        cidr_block="0.0.0.0/0",
    )
