"""ALB: application load balancers, target groups and listeners via ``aws.lb`` and via the ``aws.alb`` module.

``aws.lb.*`` become ``aws_lb``/``aws_lb_target_group``/``aws_lb_listener``; ``aws.alb.LoadBalancer`` and
``aws.alb.Listener`` become the Terraform aliases ``aws_alb``/``aws_alb_listener``. Exercises the
``access_logs`` and ``health_check`` blocks, ``default_actions`` -> ``default_action`` with nested
``redirect``, ``forward`` (``target_groups`` -> ``target_group``) and ``fixed_response`` blocks, and lists
of subnets and security groups. The network (VPC, subnets) is given as literal IDs.
"""

import pulumi
import pulumi_aws as aws
from corpus_common import TAGS

_VPC = "vpc-0a11b0c0ffee00001"
_SUBNETS = ["subnet-0a11b0c0ffee0000a", "subnet-0a11b0c0ffee0000b"]
_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0d5c6c1e-4b7a-4a4e-9a51-2f0f7c1d2e01"


def secure() -> None:
    # Internal storefront ALB: HTTPS with TLS 1.2+ only, HTTP redirected, access logs, strict parsing.
    sg = aws.ec2.SecurityGroup(
        "storefront-alb",
        name="acme-corpus-storefront-alb",
        description="Internal storefront load balancer",
        vpc_id=_VPC,
        ingress=[
            {
                "description": "HTTPS from the VPC",
                "from_port": 443,
                "to_port": 443,
                "protocol": "tcp",
                "cidr_blocks": ["10.40.0.0/16"],
            },
            {
                "description": "HTTP from the VPC, redirected to HTTPS",
                "from_port": 80,
                "to_port": 80,
                "protocol": "tcp",
                "cidr_blocks": ["10.40.0.0/16"],
            },
        ],
        egress=[
            {
                "description": "HTTPS to the storefront targets",
                "from_port": 8443,
                "to_port": 8443,
                "protocol": "tcp",
                "cidr_blocks": ["10.40.0.0/16"],
            }
        ],
        tags=TAGS,
    )
    lb = aws.lb.LoadBalancer(
        "storefront",
        name="acme-corpus-storefront",
        internal=True,
        load_balancer_type="application",
        security_groups=[sg.id],
        subnets=_SUBNETS,
        drop_invalid_header_fields=True,
        enable_deletion_protection=True,
        desync_mitigation_mode="strictest",
        enable_http2=True,
        idle_timeout=60,
        access_logs={"bucket": "acme-corpus-storefront-alb-logs", "prefix": "storefront", "enabled": True},
        tags=TAGS,
    )
    tg = aws.lb.TargetGroup(
        "storefront",
        name="acme-corpus-storefront",
        port=8443,
        protocol="HTTPS",
        target_type="ip",
        vpc_id=_VPC,
        deregistration_delay=30,
        health_check={
            "enabled": True,
            "path": "/healthz",
            "protocol": "HTTPS",
            "matcher": "200",
            "interval": 15,
            "timeout": 5,
            "healthy_threshold": 3,
            "unhealthy_threshold": 3,
        },
        tags=TAGS,
    )
    aws.lb.Listener(
        "storefront-https",
        load_balancer_arn=lb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate_arn=_CERTIFICATE,
        default_actions=[
            {
                "type": "forward",
                "forward": {
                    "target_groups": [{"arn": tg.arn, "weight": 100}],
                    "stickiness": {"enabled": False, "duration": 60},
                },
            }
        ],
        tags=TAGS,
    )
    aws.lb.Listener(
        "storefront-http",
        load_balancer_arn=lb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}],
        tags=TAGS,
    )

    # Internal partner API through the aws.alb module (Terraform aws_alb / aws_alb_listener).
    api_sg = aws.ec2.SecurityGroup(
        "partner-api-alb",
        name="acme-corpus-partner-api-alb",
        description="Internal partner API load balancer",
        vpc_id=_VPC,
        ingress=[
            {
                "description": "HTTPS from the VPC",
                "from_port": 443,
                "to_port": 443,
                "protocol": "tcp",
                "cidr_blocks": ["10.40.0.0/16"],
            }
        ],
        egress=[
            {
                "description": "HTTPS to the partner API targets",
                "from_port": 9443,
                "to_port": 9443,
                "protocol": "tcp",
                "cidr_blocks": ["10.40.0.0/16"],
            }
        ],
        tags=TAGS,
    )
    api = aws.alb.LoadBalancer(
        "partner-api",
        name="acme-corpus-partner-api",
        internal=True,
        load_balancer_type="application",
        security_groups=[api_sg.id],
        subnets=_SUBNETS,
        drop_invalid_header_fields=True,
        enable_deletion_protection=True,
        desync_mitigation_mode="defensive",
        access_logs={"bucket": "acme-corpus-partner-api-alb-logs", "prefix": "partner-api", "enabled": True},
        tags=TAGS,
    )
    api_tg = aws.lb.TargetGroup(
        "partner-api",
        name="acme-corpus-partner-api",
        port=9443,
        protocol="HTTPS",
        target_type="ip",
        vpc_id=_VPC,
        health_check={"enabled": True, "path": "/ready", "protocol": "HTTPS", "matcher": "200-299"},
        tags=TAGS,
    )
    aws.alb.Listener(
        "partner-api-https",
        load_balancer_arn=api.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        certificate_arn=_CERTIFICATE,
        default_actions=[{"type": "forward", "target_group_arn": api_tg.arn}],
        tags=TAGS,
    )
    pulumi.export("storefront", lb.dns_name)


def insecure() -> None:
    # Public shop ALB: plain HTTP forwarded to HTTP targets, no access logs, lenient parsing, deletable.
    sg = aws.ec2.SecurityGroup(
        "legacy-shop-alb",
        name="acme-corpus-legacy-shop-alb",
        description="Public shop load balancer",
        vpc_id=_VPC,
        ingress=[{"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
        egress=[{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}],
    )
    lb = aws.lb.LoadBalancer(
        "legacy-shop",
        name="acme-corpus-legacy-shop",
        internal=False,
        load_balancer_type="application",
        security_groups=[sg.id],
        subnets=_SUBNETS,
        drop_invalid_header_fields=False,
        enable_deletion_protection=False,
        desync_mitigation_mode="monitor",
    )
    tg = aws.lb.TargetGroup(
        "legacy-shop", name="acme-corpus-legacy-shop", port=80, protocol="HTTP", target_type="instance", vpc_id=_VPC
    )
    aws.lb.Listener(
        "legacy-shop-http",
        load_balancer_arn=lb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
    )

    # Public admin ALB through the aws.alb module (Terraform aws_alb / aws_alb_listener), HTTPS on an old policy.
    admin = aws.alb.LoadBalancer(
        "legacy-admin",
        name="acme-corpus-legacy-admin-alb",
        internal=False,
        load_balancer_type="application",
        security_groups=[sg.id],
        subnets=_SUBNETS,
        access_logs={"bucket": "acme-corpus-legacy-admin-alb-logs", "enabled": False},
    )
    aws.alb.Listener(
        "legacy-admin-http",
        load_balancer_arn=admin.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {"content_type": "text/plain", "message_body": "admin", "status_code": "200"},
            }
        ],
    )
    aws.alb.Listener(
        "legacy-admin-https",
        load_balancer_arn=admin.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-2016-08",
        certificate_arn=_CERTIFICATE,
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {"content_type": "text/plain", "message_body": "admin", "status_code": "200"},
            }
        ],
    )
