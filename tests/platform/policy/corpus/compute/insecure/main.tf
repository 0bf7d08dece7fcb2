resource "aws_ebs_volume" "compute-scratch" {
  availability_zone = "eu-west-1b"
  size              = 500
  type              = "gp2"
  encrypted         = false
}

resource "aws_instance" "compute-bastion" {
  ami                         = "ami-0a1b2c3d4e5f67890"
  instance_type               = "t3.micro"
  subnet_id                   = "subnet-0a1b2c3d4e5f6ffff"
  associate_public_ip_address = true
  ebs_optimized               = false
  monitoring                  = false
  user_data                   = "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }

  root_block_device {
    volume_type = "gp2"
    volume_size = 20
    encrypted   = false
  }
}

resource "aws_ecr_repository" "compute-legacy" {
  name                 = "acme-corpus-compute-legacy"
  image_tag_mutability = "MUTABLE"
  force_delete         = true

  image_scanning_configuration {
    scan_on_push = false
  }
}

resource "aws_ecr_lifecycle_policy" "compute-legacy" {
  repository = aws_ecr_repository.compute-legacy.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 1000 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_lambda_function" "compute-legacy-handler" {
  function_name = "acme-corpus-compute-legacy-handler"
  role          = "arn:aws:iam::123456789012:role/acme-corpus-compute-legacy-handler"
  runtime       = "python3.9"
  handler       = "app.handler"
  s3_bucket     = "acme-corpus-artifacts"
  s3_key        = "compute-legacy-handler/latest.zip"

  environment {
    variables = {
      AWS_ACCESS_KEY_ID     = "AKIAIOSFODNN7EXAMPLE"
      AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    }
  }
}

resource "aws_lambda_permission" "compute-legacy-handler-public" {
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.compute-legacy-handler.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "compute-legacy-handler-s3" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.compute-legacy-handler.function_name
  principal     = "s3.amazonaws.com"
}
