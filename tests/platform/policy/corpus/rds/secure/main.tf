locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
  private_subnets = ["subnet-0rds00000000000a1", "subnet-0rds00000000000b2", "subnet-0rds00000000000c3"]
}

resource "aws_kms_key" "rds_data" {
  description             = "RDS storage, Performance Insights, master secrets and backups"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RdsDataKeyAdmin"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = local.tags
}

resource "aws_iam_role" "rds_monitoring" {
  name = "acme-corpus-rds-monitoring"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "monitoring.rds.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_subnet_group" "orders" {
  name        = "acme-corpus-pg-orders-subnets"
  description = "private database subnets"
  subnet_ids  = local.private_subnets
  tags        = local.tags
}

resource "aws_security_group" "rds_orders" {
  name        = "acme-corpus-rds-orders"
  description = "PostgreSQL from the application subnets"
  vpc_id      = "vpc-0rds0000000000001"

  ingress {
    description = "PostgreSQL from the application subnets"
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["10.20.0.0/16"]
  }

  egress {
    description = "replies inside the VPC"
    protocol    = "tcp"
    from_port   = 1024
    to_port     = 65535
    cidr_blocks = ["10.20.0.0/16"]
  }

  tags = local.tags
}

resource "aws_db_parameter_group" "orders_postgres16" {
  name        = "acme-corpus-pg-orders-postgres16"
  family      = "postgres16"
  description = "orders: TLS only, connection and query logging"

  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  tags = local.tags
}

resource "aws_db_instance" "orders" {
  identifier                            = "acme-corpus-pg-orders"
  engine                                = "postgres"
  engine_version                        = "16.4"
  instance_class                        = "db.m6g.large"
  allocated_storage                     = 100
  max_allocated_storage                 = 500
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = aws_kms_key.rds_data.arn
  db_name                               = "orders"
  username                              = "orders_admin"
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = aws_kms_key.rds_data.arn
  iam_database_authentication_enabled   = true
  db_subnet_group_name                  = aws_db_subnet_group.orders.name
  vpc_security_group_ids                = [aws_security_group.rds_orders.id]
  parameter_group_name                  = aws_db_parameter_group.orders_postgres16.name
  publicly_accessible                   = false
  multi_az                              = true
  deletion_protection                   = true
  backup_retention_period               = 14
  backup_window                         = "02:00-03:00"
  maintenance_window                    = "sun:04:00-sun:05:00"
  copy_tags_to_snapshot                 = true
  delete_automated_backups              = false
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "acme-corpus-pg-orders-final"
  auto_minor_version_upgrade            = true
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.rds_data.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  tags                                  = local.tags
}

resource "aws_rds_cluster_parameter_group" "ledger_aurora_postgresql16" {
  name        = "acme-corpus-ledger-aurora-postgresql16"
  family      = "aurora-postgresql16"
  description = "ledger: TLS only, connection and query logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  tags = local.tags
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier                  = "acme-corpus-ledger"
  engine                              = "aurora-postgresql"
  engine_version                      = "16.4"
  database_name                       = "ledger"
  master_username                     = "ledger_admin"
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = aws_kms_key.rds_data.arn
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.rds_data.arn
  iam_database_authentication_enabled = true
  db_subnet_group_name                = aws_db_subnet_group.orders.name
  vpc_security_group_ids              = [aws_security_group.rds_orders.id]
  db_cluster_parameter_group_name     = aws_rds_cluster_parameter_group.ledger_aurora_postgresql16.name
  deletion_protection                 = true
  backup_retention_period             = 14
  preferred_backup_window             = "02:00-03:00"
  preferred_maintenance_window        = "sun:04:00-sun:05:00"
  copy_tags_to_snapshot               = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "acme-corpus-ledger-final"
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  tags                                = local.tags
}

resource "aws_rds_cluster_instance" "ledger_1" {
  identifier                            = "acme-corpus-ledger-1"
  cluster_identifier                    = aws_rds_cluster.ledger.id
  engine                                = aws_rds_cluster.ledger.engine
  engine_version                        = aws_rds_cluster.ledger.engine_version
  instance_class                        = "db.r6g.large"
  db_subnet_group_name                  = aws_db_subnet_group.orders.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  copy_tags_to_snapshot                 = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.rds_data.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  tags                                  = local.tags
}

resource "aws_rds_cluster_instance" "ledger_2" {
  identifier                            = "acme-corpus-ledger-2"
  cluster_identifier                    = aws_rds_cluster.ledger.id
  engine                                = aws_rds_cluster.ledger.engine
  engine_version                        = aws_rds_cluster.ledger.engine_version
  instance_class                        = "db.r6g.large"
  db_subnet_group_name                  = aws_db_subnet_group.orders.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  copy_tags_to_snapshot                 = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.rds_data.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  tags                                  = local.tags
}

resource "aws_backup_vault" "rds_databases" {
  name        = "acme-corpus-rds"
  kms_key_arn = aws_kms_key.rds_data.arn
  tags        = local.tags
}

resource "aws_backup_plan" "rds_databases" {
  name = "acme-corpus-rds"

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.rds_databases.name
    schedule          = "cron(0 3 * * ? *)"
    start_window      = 60
    completion_window = 360
    lifecycle {
      delete_after = 35
    }
  }

  tags = local.tags
}

resource "aws_iam_role" "rds_backup" {
  name = "acme-corpus-rds-backup"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "rds_backup" {
  role       = aws_iam_role.rds_backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "rds_databases" {
  name         = "acme-corpus-rds"
  plan_id      = aws_backup_plan.rds_databases.id
  iam_role_arn = aws_iam_role.rds_backup.arn
  resources    = [aws_db_instance.orders.arn, aws_rds_cluster.ledger.arn]
}
