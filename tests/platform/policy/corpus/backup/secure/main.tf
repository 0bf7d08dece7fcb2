locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
  backup_role = "arn:aws:iam::123456789012:role/acme-corpus-backup-service"
  dr_vault    = "arn:aws:backup:eu-central-1:123456789012:backup-vault:acme-corpus-backup-dr"
}

resource "aws_kms_key" "backup-vault" {
  description             = "backup vault and protected data"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministration"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = local.tags
}

resource "aws_backup_vault" "backup-primary" {
  name          = "acme-corpus-backup-primary"
  kms_key_arn   = aws_kms_key.backup-vault.arn
  force_destroy = false
  tags          = local.tags
}

resource "aws_ebs_volume" "backup-ledger" {
  availability_zone = "eu-west-1a"
  size              = 200
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.backup-vault.arn
  tags              = local.tags
}

resource "aws_efs_file_system" "backup-shared" {
  creation_token   = "acme-corpus-backup-shared"
  encrypted        = true
  kms_key_id       = aws_kms_key.backup-vault.arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  lifecycle_policy {
    transition_to_primary_storage_class = "AFTER_1_ACCESS"
  }

  tags = local.tags
}

resource "aws_backup_plan" "backup-daily" {
  name = "acme-corpus-backup-daily"

  rule {
    rule_name                    = "daily"
    target_vault_name            = aws_backup_vault.backup-primary.name
    schedule                     = "cron(0 3 * * ? *)"
    schedule_expression_timezone = "Europe/London"
    start_window                 = 60
    completion_window            = 360

    lifecycle {
      cold_storage_after = 30
      delete_after       = 365
    }

    copy_action {
      destination_vault_arn = local.dr_vault
      lifecycle {
        cold_storage_after = 30
        delete_after       = 365
      }
    }

    recovery_point_tags = local.tags
  }

  rule {
    rule_name         = "monthly"
    target_vault_name = aws_backup_vault.backup-primary.name
    schedule          = "cron(0 4 1 * ? *)"
    start_window      = 120
    completion_window = 720

    lifecycle {
      cold_storage_after = 90
      delete_after       = 2555
    }
  }

  advanced_backup_setting {
    resource_type = "EC2"
    backup_options = {
      WindowsVSS = "enabled"
    }
  }

  tags = local.tags
}

resource "aws_backup_selection" "backup-by-arn" {
  name         = "acme-corpus-backup-by-arn"
  plan_id      = aws_backup_plan.backup-daily.id
  iam_role_arn = local.backup_role
  resources    = [aws_ebs_volume.backup-ledger.arn, aws_efs_file_system.backup-shared.arn]
}

resource "aws_backup_selection" "backup-by-tag" {
  name         = "acme-corpus-backup-by-tag"
  plan_id      = aws_backup_plan.backup-daily.id
  iam_role_arn = local.backup_role
  resources    = ["*"]

  selection_tag {
    type  = "STRINGEQUALS"
    key   = "backup"
    value = "daily"
  }

  condition {
    string_equals {
      key   = "aws:ResourceTag/environment"
      value = "corpus"
    }
    string_not_like {
      key   = "aws:ResourceTag/backup-exempt"
      value = "true*"
    }
  }
}
