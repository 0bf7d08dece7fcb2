resource "aws_kms_key" "sandbox" {
  description             = "sandbox key"
  enable_key_rotation     = false
  deletion_window_in_days = 7
  is_enabled              = false
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EveryoneMayUse"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_alias" "sandbox" {
  name          = "alias/sandbox-data"
  target_key_id = aws_kms_key.sandbox.key_id
}

resource "aws_iam_role" "sandbox-admin" {
  name = "sandbox-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" },
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::210987654321:root" }, Action = "sts:AssumeRole" },
    ]
  })
  max_session_duration = 43200
}

resource "aws_iam_policy" "sandbox-everything" {
  name        = "sandbox-everything"
  description = "temporary: allow everything"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role_policy" "sandbox-admin-iam" {
  name = "sandbox-admin-iam"
  role = aws_iam_role.sandbox-admin.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "iam:*", Resource = "*" },
      { Effect = "Allow", Action = ["s3:*", "kms:*"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "sandbox-admin-everything" {
  role       = aws_iam_role.sandbox-admin.name
  policy_arn = aws_iam_policy.sandbox-everything.arn
}

resource "aws_iam_role_policy_attachment" "sandbox-admin-managed" {
  role       = aws_iam_role.sandbox-admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "sandbox-ci" {
  name = "sandbox-ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "*" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "sandbox-ci-iam" {
  role       = aws_iam_role.sandbox-ci.name
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}

resource "aws_iam_user" "sandbox-deployer" {
  name          = "sandbox-deployer"
  path          = "/"
  force_destroy = true
}

resource "aws_iam_user_policy" "sandbox-deployer" {
  name = "sandbox-deployer"
  user = aws_iam_user.sandbox-deployer.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*", "ec2:*", "lambda:*"], Resource = "*" }]
  })
}
