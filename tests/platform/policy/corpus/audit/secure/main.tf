locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
}

resource "aws_kms_key" "audit-trail" {
  description             = "CloudTrail, its log group and its notifications"
  enable_key_rotation     = true
  rotation_period_in_days = 180
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
        Sid       = "CloudTrailEncrypt"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-corpus-audit" } }
      },
      {
        Sid       = "CloudWatchLogsEncrypt"
        Effect    = "Allow"
        Principal = { Service = "logs.eu-west-1.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/acme-corpus-audit" } }
      },
    ]
  })
  tags = local.tags
}

resource "aws_s3_bucket" "audit-trail" {
  bucket = "acme-corpus-audit-trail"
  tags   = local.tags
}

resource "aws_s3_bucket_public_access_block" "audit-trail" {
  bucket                  = aws_s3_bucket.audit-trail.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "audit-trail" {
  bucket = aws_s3_bucket.audit-trail.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit-trail" {
  bucket = aws_s3_bucket.audit-trail.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.audit-trail.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "audit-trail" {
  bucket = aws_s3_bucket.audit-trail.id
  rule {
    id     = "archive"
    status = "Enabled"
    filter {
      prefix = "cloudtrail/"
    }
    transition {
      days          = 90
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = 365
      storage_class = "GLACIER"
    }
    noncurrent_version_expiration {
      noncurrent_days = 365
    }
  }
  rule {
    id     = "tidy"
    status = "Enabled"
    filter {
      prefix = ""
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_notification" "audit-trail" {
  bucket      = aws_s3_bucket.audit-trail.id
  eventbridge = true
}

resource "aws_s3_bucket_policy" "audit-trail" {
  bucket = aws_s3_bucket.audit-trail.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudTrailAclCheck"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = "arn:aws:s3:::acme-corpus-audit-trail"
        Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-corpus-audit" } }
      },
      {
        Sid       = "CloudTrailWrite"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "arn:aws:s3:::acme-corpus-audit-trail/cloudtrail/AWSLogs/123456789012/*"
        Condition = {
          StringEquals = {
            "s3:x-amz-acl"  = "bucket-owner-full-control"
            "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-corpus-audit"
          }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::acme-corpus-audit-trail", "arn:aws:s3:::acme-corpus-audit-trail/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "audit-trail" {
  name              = "/aws/cloudtrail/acme-corpus-audit"
  kms_key_id        = aws_kms_key.audit-trail.arn
  retention_in_days = 365
  tags              = local.tags
}

resource "aws_iam_role" "audit-trail-logs" {
  name = "acme-corpus-audit-trail-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-corpus-audit" } }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "audit-trail-logs" {
  role = aws_iam_role.audit-trail-logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/acme-corpus-audit:log-stream:*"
    }]
  })
}

resource "aws_sns_topic" "audit-trail" {
  name              = "acme-corpus-audit-trail"
  kms_master_key_id = aws_kms_key.audit-trail.id
  tags              = local.tags
}

resource "aws_cloudtrail" "audit-trail" {
  name                          = "acme-corpus-audit"
  s3_bucket_name                = aws_s3_bucket.audit-trail.id
  s3_key_prefix                 = "cloudtrail"
  enable_logging                = true
  include_global_service_events = true
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.audit-trail.arn
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.audit-trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.audit-trail-logs.arn
  sns_topic_name                = aws_sns_topic.audit-trail.name

  advanced_event_selector {
    name = "Management events"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }

  advanced_event_selector {
    name = "S3 object events"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field           = "resources.ARN"
      not_starts_with = ["arn:aws:s3:::acme-corpus-audit-trail/"]
    }
  }

  insight_selector {
    insight_type = "ApiCallRateInsight"
  }

  insight_selector {
    insight_type = "ApiErrorRateInsight"
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "audit-root-usage" {
  alarm_name          = "acme-corpus-audit-root-usage"
  alarm_description   = "The root user signed in or made an API call"
  namespace           = "CloudTrailMetrics"
  metric_name         = "RootAccountUsage"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.audit-trail.arn]
  ok_actions          = [aws_sns_topic.audit-trail.arn]
  tags                = local.tags
}
