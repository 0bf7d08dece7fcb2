locals {
  vpc         = "vpc-0a11b0c0ffee00001"
  subnets     = ["subnet-0a11b0c0ffee0000a", "subnet-0a11b0c0ffee0000b"]
  certificate = "arn:aws:acm:eu-west-1:123456789012:certificate/0d5c6c1e-4b7a-4a4e-9a51-2f0f7c1d2e01"
}

# Public shop ALB: plain HTTP forwarded to HTTP targets, no access logs, lenient parsing, deletable.
resource "aws_security_group" "legacy-shop-alb" {
  name        = "acme-corpus-legacy-shop-alb"
  description = "Public shop load balancer"
  vpc_id      = local.vpc
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "legacy-shop" {
  name                       = "acme-corpus-legacy-shop"
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.legacy-shop-alb.id]
  subnets                    = local.subnets
  drop_invalid_header_fields = false
  enable_deletion_protection = false
  desync_mitigation_mode     = "monitor"
}

resource "aws_lb_target_group" "legacy-shop" {
  name        = "acme-corpus-legacy-shop"
  port        = 80
  protocol    = "HTTP"
  target_type = "instance"
  vpc_id      = local.vpc
}

resource "aws_lb_listener" "legacy-shop-http" {
  load_balancer_arn = aws_lb.legacy-shop.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.legacy-shop.arn
  }
}

# Public admin ALB through the aws.alb module (Terraform aws_alb / aws_alb_listener), HTTPS on an old policy.
resource "aws_alb" "legacy-admin" {
  name               = "acme-corpus-legacy-admin-alb"
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.legacy-shop-alb.id]
  subnets            = local.subnets
  access_logs {
    bucket  = "acme-corpus-legacy-admin-alb-logs"
    enabled = false
  }
}

resource "aws_alb_listener" "legacy-admin-http" {
  load_balancer_arn = aws_alb.legacy-admin.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "admin"
      status_code  = "200"
    }
  }
}

resource "aws_alb_listener" "legacy-admin-https" {
  load_balancer_arn = aws_alb.legacy-admin.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = local.certificate
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "admin"
      status_code  = "200"
    }
  }
}
