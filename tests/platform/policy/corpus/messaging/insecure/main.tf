resource "aws_sns_topic" "messaging-public-events" {
  name = "acme-corpus-public-events"
}

resource "aws_sns_topic_policy" "messaging-public-events" {
  arn = aws_sns_topic.messaging-public-events.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["sns:Publish", "sns:Subscribe"]
      Resource  = "arn:aws:sns:eu-west-1:123456789012:acme-corpus-public-events"
    }]
  })
}

resource "aws_sqs_queue" "messaging-public-events" {
  name                      = "acme-corpus-public-events"
  sqs_managed_sse_enabled   = false
  message_retention_seconds = 86400
}

resource "aws_sqs_queue_policy" "messaging-public-events" {
  queue_url = aws_sqs_queue.messaging-public-events.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:*", Resource = "arn:aws:sqs:eu-west-1:123456789012:acme-corpus-public-events" }]
  })
}

resource "aws_sns_topic_subscription" "messaging-public-events" {
  topic_arn              = aws_sns_topic.messaging-public-events.arn
  protocol               = "http"
  endpoint               = "http://hooks.example.com/acme-corpus-public-events"
  endpoint_auto_confirms = true
}
