resource "aws_kms_key" "legacy-secrets" {
  description             = "legacy secrets"
  deletion_window_in_days = 7
}

resource "aws_secretsmanager_secret" "legacy-db" {
  name                    = "legacy/db-credentials"
  description             = "legacy database credentials"
  kms_key_id              = "alias/aws/secretsmanager"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret" "legacy-api" {
  name       = "legacy/api-key"
  kms_key_id = aws_kms_key.legacy-secrets.arn
}

resource "aws_secretsmanager_secret_rotation" "legacy-api" {
  secret_id           = aws_secretsmanager_secret.legacy-api.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:legacy-api-rotator"
  rotation_rules {
    schedule_expression = "rate(365 days)"
  }
}

resource "aws_ssm_parameter" "legacy-db-password" {
  name  = "/legacy/db/password"
  type  = "String"
  value = "Legacy-Passw0rd-2019"
}

resource "aws_ssm_parameter" "legacy-api-token" {
  name  = "/legacy/api/token"
  type  = "SecureString"
  value = "legacy-token-0001"
}
