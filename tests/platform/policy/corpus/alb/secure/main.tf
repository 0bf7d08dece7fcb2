locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
  vpc         = "vpc-0a11b0c0ffee00001"
  subnets     = ["subnet-0a11b0c0ffee0000a", "subnet-0a11b0c0ffee0000b"]
  certificate = "arn:aws:acm:eu-west-1:123456789012:certificate/0d5c6c1e-4b7a-4a4e-9a51-2f0f7c1d2e01"
}

# Internal storefront ALB: HTTPS with TLS 1.2+ only, HTTP redirected, access logs, strict parsing.
resource "aws_security_group" "storefront-alb" {
  name        = "acme-corpus-storefront-alb"
  description = "Internal storefront load balancer"
  vpc_id      = local.vpc
  ingress {
    description = "HTTPS from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }
  ingress {
    description = "HTTP from the VPC, redirected to HTTPS"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }
  egress {
    description = "HTTPS to the storefront targets"
    from_port   = 8443
    to_port     = 8443
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }
  tags = local.tags
}

resource "aws_lb" "storefront" {
  name                       = "acme-corpus-storefront"
  internal                   = true
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.storefront-alb.id]
  subnets                    = local.subnets
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  desync_mitigation_mode     = "strictest"
  enable_http2               = true
  idle_timeout               = 60
  access_logs {
    bucket  = "acme-corpus-storefront-alb-logs"
    prefix  = "storefront"
    enabled = true
  }
  tags = local.tags
}

resource "aws_lb_target_group" "storefront" {
  name                 = "acme-corpus-storefront"
  port                 = 8443
  protocol             = "HTTPS"
  target_type          = "ip"
  vpc_id               = local.vpc
  deregistration_delay = 30
  health_check {
    enabled             = true
    path                = "/healthz"
    protocol            = "HTTPS"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 3
    unhealthy_threshold = 3
  }
  tags = local.tags
}

resource "aws_lb_listener" "storefront-https" {
  load_balancer_arn = aws_lb.storefront.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.certificate
  default_action {
    type = "forward"
    forward {
      target_group {
        arn    = aws_lb_target_group.storefront.arn
        weight = 100
      }
      stickiness {
        enabled  = false
        duration = 60
      }
    }
  }
  tags = local.tags
}

resource "aws_lb_listener" "storefront-http" {
  load_balancer_arn = aws_lb.storefront.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
  tags = local.tags
}

# Internal partner API through the aws.alb module (Terraform aws_alb / aws_alb_listener).
resource "aws_security_group" "partner-api-alb" {
  name        = "acme-corpus-partner-api-alb"
  description = "Internal partner API load balancer"
  vpc_id      = local.vpc
  ingress {
    description = "HTTPS from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }
  egress {
    description = "HTTPS to the partner API targets"
    from_port   = 9443
    to_port     = 9443
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }
  tags = local.tags
}

resource "aws_alb" "partner-api" {
  name                       = "acme-corpus-partner-api"
  internal                   = true
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.partner-api-alb.id]
  subnets                    = local.subnets
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  desync_mitigation_mode     = "defensive"
  access_logs {
    bucket  = "acme-corpus-partner-api-alb-logs"
    prefix  = "partner-api"
    enabled = true
  }
  tags = local.tags
}

resource "aws_lb_target_group" "partner-api" {
  name        = "acme-corpus-partner-api"
  port        = 9443
  protocol    = "HTTPS"
  target_type = "ip"
  vpc_id      = local.vpc
  health_check {
    enabled  = true
    path     = "/ready"
    protocol = "HTTPS"
    matcher  = "200-299"
  }
  tags = local.tags
}

resource "aws_alb_listener" "partner-api-https" {
  load_balancer_arn = aws_alb.partner-api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
  certificate_arn   = local.certificate
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.partner-api.arn
  }
  tags = local.tags
}
