resource "aws_security_group" "rds_reporting" {
  name        = "acme-corpus-rds-reporting"
  description = "reporting database"
  vpc_id      = "vpc-0rds0000000000001"

  ingress {
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_subnet_group" "reporting" {
  description = "Managed by Pulumi" # the pulumi-aws SDK default the program gets
  name       = "acme-corpus-reporting-subnets"
  subnet_ids = ["subnet-0rds0000000000pa1", "subnet-0rds0000000000pb2"]
}

resource "aws_db_parameter_group" "reporting_postgres12" {
  description = "Managed by Pulumi" # the pulumi-aws SDK default the program gets
  name   = "acme-corpus-reporting-postgres12"
  family = "postgres12"

  parameter {
    name  = "rds.force_ssl"
    value = "0"
  }
  parameter {
    name  = "log_connections"
    value = "0"
  }
}

resource "aws_db_instance" "reporting" {
  identifier                          = "acme-corpus-reporting"
  engine                              = "postgres"
  engine_version                      = "12.5"
  instance_class                      = "db.t3.medium"
  allocated_storage                   = 20
  storage_encrypted                   = false
  db_name                             = "reporting"
  username                            = "reporting_admin"
  manage_master_user_password         = true
  db_subnet_group_name                = aws_db_subnet_group.reporting.name
  vpc_security_group_ids              = [aws_security_group.rds_reporting.id]
  parameter_group_name                = aws_db_parameter_group.reporting_postgres12.name
  publicly_accessible                 = true
  multi_az                            = false
  deletion_protection                 = false
  backup_retention_period             = 0
  copy_tags_to_snapshot               = false
  skip_final_snapshot                 = true
  auto_minor_version_upgrade          = false
  iam_database_authentication_enabled = false
  performance_insights_enabled        = false
  monitoring_interval                 = 0
  ca_cert_identifier                  = "rds-ca-2019"
}

resource "aws_rds_cluster" "reporting_aurora" {
  cluster_identifier                  = "acme-corpus-reporting-aurora"
  engine                              = "aurora-postgresql"
  engine_version                      = "11.7"
  database_name                       = "reporting"
  master_username                     = "reporting_admin"
  manage_master_user_password         = true
  storage_encrypted                   = false
  db_subnet_group_name                = aws_db_subnet_group.reporting.name
  vpc_security_group_ids              = [aws_security_group.rds_reporting.id]
  deletion_protection                 = false
  backup_retention_period             = 1
  copy_tags_to_snapshot               = false
  iam_database_authentication_enabled = false
  skip_final_snapshot                 = true
}

resource "aws_rds_cluster_instance" "reporting_aurora_1" {
  identifier                   = "acme-corpus-reporting-aurora-1"
  cluster_identifier           = aws_rds_cluster.reporting_aurora.id
  engine                       = "aurora-postgresql"
  engine_version               = "11.7"
  instance_class               = "db.t3.medium"
  db_subnet_group_name         = aws_db_subnet_group.reporting.name
  publicly_accessible          = true
  auto_minor_version_upgrade   = false
  performance_insights_enabled = false
}
