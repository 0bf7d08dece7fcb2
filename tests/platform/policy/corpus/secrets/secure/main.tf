locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
}

resource "aws_kms_key" "billing-secrets" {
  description             = "billing secrets and parameters"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "SecretsManagerUse"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:role/service/billing-api" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]
          }
        }
      },
    ]
  })
  tags = local.tags
}

resource "aws_secretsmanager_secret" "billing-db" {
  name                    = "billing/db-credentials"
  description             = "billing database master credentials"
  kms_key_id              = aws_kms_key.billing-secrets.arn
  recovery_window_in_days = 30
  replica {
    region     = "eu-central-1"
    kms_key_id = "arn:aws:kms:eu-central-1:123456789012:key/mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
  }
  tags = local.tags
}

resource "aws_secretsmanager_secret_rotation" "billing-db" {
  secret_id           = aws_secretsmanager_secret.billing-db.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:billing-db-rotator"
  rotate_immediately  = false
  rotation_rules {
    automatically_after_days = 30
    duration                 = "3h"
  }
}

resource "aws_ssm_parameter" "billing-api-token" {
  name            = "/billing/api/token"
  description     = "billing API token for the payment provider"
  type            = "SecureString"
  key_id          = aws_kms_key.billing-secrets.arn
  value           = "placeholder-rotated-out-of-band"
  tier            = "Standard"
  data_type       = "text"
  allowed_pattern = "^[A-Za-z0-9-]+$"
  tags            = local.tags
}
