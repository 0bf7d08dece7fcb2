locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
}

resource "aws_kms_key" "messaging-order-events" {
  description             = "order events topic and queues"
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
        Sid       = "SnsToEncryptedQueue"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource  = "*"
        Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:sns:eu-west-1:123456789012:acme-corpus-order-events" } }
      },
    ]
  })
  tags = local.tags
}

resource "aws_sns_topic" "messaging-order-events" {
  name              = "acme-corpus-order-events"
  display_name      = "Order events"
  kms_master_key_id = aws_kms_key.messaging-order-events.arn
  signature_version = 2
  tracing_config    = "Active"
  tags              = local.tags
}

resource "aws_sns_topic_policy" "messaging-order-events" {
  arn = aws_sns_topic.messaging-order-events.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EventBridgePublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = "arn:aws:sns:eu-west-1:123456789012:acme-corpus-order-events"
        Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sns:Publish"
        Resource  = "arn:aws:sns:eu-west-1:123456789012:acme-corpus-order-events"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sqs_queue" "messaging-order-events-dlq" {
  name                              = "acme-corpus-order-events-dlq"
  kms_master_key_id                 = aws_kms_key.messaging-order-events.arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = 1209600
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = ["arn:aws:sqs:eu-west-1:123456789012:acme-corpus-order-events"]
  })
  tags = local.tags
}

resource "aws_sqs_queue" "messaging-order-events" {
  name                              = "acme-corpus-order-events"
  kms_master_key_id                 = aws_kms_key.messaging-order-events.arn
  kms_data_key_reuse_period_seconds = 300
  visibility_timeout_seconds        = 60
  message_retention_seconds         = 345600
  receive_wait_time_seconds         = 20
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.messaging-order-events-dlq.arn
    maxReceiveCount     = 5
  })
  tags = local.tags
}

resource "aws_sqs_queue_policy" "messaging-order-events" {
  queue_url = aws_sqs_queue.messaging-order-events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "OrderEventsTopic"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = "arn:aws:sqs:eu-west-1:123456789012:acme-corpus-order-events"
        Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:sns:eu-west-1:123456789012:acme-corpus-order-events" } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = "arn:aws:sqs:eu-west-1:123456789012:acme-corpus-order-events"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "messaging-order-events" {
  topic_arn            = aws_sns_topic.messaging-order-events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.messaging-order-events.arn
  raw_message_delivery = true
  filter_policy_scope  = "MessageAttributes"
  filter_policy        = jsonencode({ eventType = ["OrderPlaced", "OrderCancelled"] })
}
