resource "aws_kms_key" "audit-open" {
  description             = "audit key, shared with everyone"
  enable_key_rotation     = false
  deletion_window_in_days = 7
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }]
  })
}

resource "aws_s3_bucket" "audit-open" {
  bucket        = "acme-corpus-audit-open"
  force_destroy = true
}

resource "aws_s3_bucket_policy" "audit-open" {
  bucket = aws_s3_bucket.audit-open.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudTrailAclCheck"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = "arn:aws:s3:::acme-corpus-audit-open"
        Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-corpus-audit-open" } }
      },
      {
        Sid       = "CloudTrailWrite"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "arn:aws:s3:::acme-corpus-audit-open/cloudtrail/AWSLogs/123456789012/*"
        Condition = {
          StringEquals = {
            "s3:x-amz-acl"  = "bucket-owner-full-control"
            "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-corpus-audit-open"
          }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::acme-corpus-audit-open", "arn:aws:s3:::acme-corpus-audit-open/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "audit-open" {
  name = "/aws/cloudtrail/acme-corpus-audit-open"
}

resource "aws_cloudtrail" "audit-open" {
  name                          = "acme-corpus-audit-open"
  s3_bucket_name                = aws_s3_bucket.audit-open.id
  enable_logging                = false
  include_global_service_events = false
  is_multi_region_trail         = false
  enable_log_file_validation    = false

  event_selector {
    read_write_type                  = "WriteOnly"
    include_management_events        = true
    exclude_management_event_sources = ["kms.amazonaws.com", "rdsdata.amazonaws.com"]
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3:::acme-corpus-audit-open-data/"]
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "audit-open-trail-silence" {
  alarm_name          = "acme-corpus-audit-open-trail-silence"
  comparison_operator = "LessThanThreshold"
  evaluation_periods  = 3
  threshold           = 1
  actions_enabled     = false

  metric_query {
    id          = "events"
    return_data = true
    metric {
      namespace   = "AWS/Logs"
      metric_name = "IncomingLogEvents"
      dimensions  = { LogGroupName = "/aws/cloudtrail/acme-corpus-audit-open" }
      period      = 3600
      stat        = "Sum"
    }
  }
}
