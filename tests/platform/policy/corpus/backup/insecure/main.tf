resource "aws_backup_vault" "backup-scratch" {
  name          = "acme-corpus-backup-scratch"
  force_destroy = true
}

resource "aws_ebs_volume" "backup-orphan" {
  availability_zone = "eu-west-1b"
  size              = 100
  type              = "gp2"
  encrypted         = false
}

resource "aws_efs_file_system" "backup-orphan" {
  creation_token = "acme-corpus-backup-orphan"
  encrypted      = false
}

resource "aws_backup_plan" "backup-adhoc" {
  name = "acme-corpus-backup-adhoc"

  rule {
    rule_name         = "weekly"
    target_vault_name = aws_backup_vault.backup-scratch.name
    schedule          = "cron(0 5 ? * SUN *)"
  }
}

resource "aws_backup_selection" "backup-adhoc" {
  name         = "acme-corpus-backup-adhoc"
  plan_id      = aws_backup_plan.backup-adhoc.id
  iam_role_arn = "arn:aws:iam::123456789012:role/Administrator"
  resources    = ["arn:aws:dynamodb:eu-west-1:123456789012:table/acme-corpus-backup-adhoc"]
}
