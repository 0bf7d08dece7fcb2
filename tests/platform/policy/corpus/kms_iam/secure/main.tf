locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
}

resource "aws_kms_key" "ledger" {
  description              = "ledger service data key"
  key_usage                = "ENCRYPT_DECRYPT"
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = true
  rotation_period_in_days  = 180
  deletion_window_in_days  = 30
  is_enabled               = true
  multi_region             = false
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
        Sid       = "LedgerServiceUse"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:role/service/ledger-api" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
      },
    ]
  })
  tags = local.tags
}

resource "aws_kms_alias" "ledger" {
  name          = "alias/ledger-data"
  target_key_id = aws_kms_key.ledger.key_id
}

resource "aws_iam_role" "ledger-api" {
  name        = "ledger-api"
  path        = "/service/"
  description = "ledger API tasks"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
      },
      {
        Effect    = "Allow"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
        Action    = "sts:TagSession"
        Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
      },
    ]
  })
  max_session_duration  = 3600
  permissions_boundary  = "arn:aws:iam::123456789012:policy/platform-boundary"
  force_detach_policies = true
  tags                  = local.tags
}

resource "aws_iam_policy" "ledger-read" {
  name        = "ledger-read"
  path        = "/service/"
  description = "read the ledger table and its export bucket"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadLedgerTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:Query"]
        Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/ledger"
      },
      {
        Sid      = "ReadLedgerExports"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::acme-corpus-ledger-exports/*"
      },
    ]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "ledger-api-kms" {
  name = "ledger-api-kms"
  role = aws_iam_role.ledger-api.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "UseLedgerKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-def012345678"
      },
      {
        Sid      = "WriteLedgerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/ledger-api:*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ledger-api-read" {
  role       = aws_iam_role.ledger-api.name
  policy_arn = aws_iam_policy.ledger-read.arn
}

resource "aws_iam_role_policy_attachment" "ledger-api-xray" {
  role       = aws_iam_role.ledger-api.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_iam_role" "ledger-deploy" {
  name        = "ledger-deploy"
  path        = "/ci/"
  description = "GitHub Actions deployments of the ledger service"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/ledger:ref:refs/heads/main"
        }
      }
    }]
  })
  max_session_duration = 3600
  permissions_boundary = "arn:aws:iam::123456789012:policy/platform-boundary"
  tags                 = local.tags
}
