locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
  ami             = "ami-0a1b2c3d4e5f67890"
  subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  security_groups = ["sg-0a1b2c3d4e5f60001"]
}

resource "aws_kms_key" "compute-workloads" {
  description             = "compute workloads"
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

resource "aws_ebs_volume" "compute-data" {
  availability_zone = "eu-west-1a"
  size              = 100
  type              = "gp3"
  iops              = 3000
  throughput        = 125
  encrypted         = true
  kms_key_id        = aws_kms_key.compute-workloads.arn
  final_snapshot    = true
  tags              = local.tags
}

resource "aws_instance" "compute-app" {
  ami                         = local.ami
  instance_type               = "m6i.large"
  subnet_id                   = local.subnets[0]
  vpc_security_group_ids      = local.security_groups
  iam_instance_profile        = "acme-corpus-app"
  associate_public_ip_address = false
  ebs_optimized               = true
  monitoring                  = true
  disable_api_termination     = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = 50
    encrypted             = true
    kms_key_id            = aws_kms_key.compute-workloads.arn
    delete_on_termination = true
  }

  ebs_block_device {
    device_name           = "/dev/sdf"
    volume_type           = "gp3"
    volume_size           = 200
    encrypted             = true
    kms_key_id            = aws_kms_key.compute-workloads.arn
    delete_on_termination = true
  }

  tags = local.tags
}

resource "aws_backup_selection" "compute-data" {
  name         = "acme-corpus-compute-data"
  plan_id      = "4f1c2a3b-5d6e-7f80-9a1b-2c3d4e5f6a7b"
  iam_role_arn = "arn:aws:iam::123456789012:role/acme-corpus-backup"
  resources    = [aws_ebs_volume.compute-data.arn, aws_instance.compute-app.arn]
}

resource "aws_ecr_repository" "compute-api" {
  name                 = "acme-corpus-compute-api"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.compute-workloads.arn
  }

  tags = local.tags
}

resource "aws_ecr_lifecycle_policy" "compute-api" {
  repository = aws_ecr_repository.compute-api.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "expire untagged images after 14 days"
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
        action       = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "keep the last 50 release images"
        selection    = { tagStatus = "tagged", tagPrefixList = ["v"], countType = "imageCountMoreThan", countNumber = 50 }
        action       = { type = "expire" }
      },
    ]
  })
}

resource "aws_lambda_function" "compute-worker" {
  function_name                  = "acme-corpus-compute-worker"
  role                           = "arn:aws:iam::123456789012:role/acme-corpus-compute-worker"
  runtime                        = "python3.12"
  handler                        = "worker.handler"
  architectures                  = ["arm64"]
  s3_bucket                      = "acme-corpus-artifacts"
  s3_key                         = "compute-worker/1.4.2.zip"
  s3_object_version              = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
  memory_size                    = 512
  timeout                        = 30
  kms_key_arn                    = aws_kms_key.compute-workloads.arn
  reserved_concurrent_executions = 20
  code_signing_config_arn        = "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f67890"

  environment {
    variables = {
      LOG_LEVEL  = "info"
      QUEUE_NAME = "acme-corpus-compute-jobs"
    }
  }

  tracing_config {
    mode = "Active"
  }

  dead_letter_config {
    target_arn = "arn:aws:sqs:eu-west-1:123456789012:acme-corpus-compute-worker-dlq"
  }

  vpc_config {
    subnet_ids         = local.subnets
    security_group_ids = local.security_groups
  }

  logging_config {
    log_format            = "JSON"
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }

  ephemeral_storage {
    size = 1024
  }

  tags = local.tags
}

resource "aws_lambda_permission" "compute-worker-events" {
  statement_id   = "AllowEventBridgeSchedule"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.compute-worker.function_name
  principal      = "events.amazonaws.com"
  source_arn     = "arn:aws:events:eu-west-1:123456789012:rule/acme-corpus-compute-worker-schedule"
  source_account = "123456789012"
}
