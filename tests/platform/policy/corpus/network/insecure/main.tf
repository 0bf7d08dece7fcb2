# No flow log, no tags; the default security group keeps AWS's allow-all rules.
resource "aws_vpc" "legacy" {
  cidr_block = "10.99.0.0/16"
}

resource "aws_default_security_group" "legacy" {
  vpc_id = aws_vpc.legacy.id
  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_subnet" "legacy-public" {
  vpc_id                  = aws_vpc.legacy.id
  cidr_block              = "10.99.0.0/24"
  map_public_ip_on_launch = true
}

# A bastion group open to the world on SSH and RDP, rules without descriptions.
resource "aws_security_group" "legacy-bastion" {
  name        = "acme-corpus-legacy-bastion"
  description = "Bastion hosts"
  vpc_id      = aws_vpc.legacy.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port        = 3389
    to_port          = 3389
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "legacy-web" {
  name        = "acme-corpus-legacy-web"
  description = "Web servers"
  vpc_id      = aws_vpc.legacy.id
}

resource "aws_vpc_security_group_ingress_rule" "legacy-web-ssh" {
  security_group_id = aws_security_group.legacy-web.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "legacy-web-rdp-v6" {
  security_group_id = aws_security_group.legacy-web.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv6         = "::/0"
}

resource "aws_vpc_security_group_egress_rule" "legacy-web-all" {
  security_group_id = aws_security_group.legacy-web.id
  ip_protocol       = "-1"
  from_port         = 0
  to_port           = 0
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "legacy-db" {
  name        = "acme-corpus-legacy-db"
  description = "Databases"
  vpc_id      = aws_vpc.legacy.id
}

resource "aws_security_group_rule" "legacy-db-any" {
  type              = "ingress"
  security_group_id = aws_security_group.legacy-db.id
  protocol          = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_blocks       = ["0.0.0.0/0"]
}

# The public subnet's NACL allows everything; a second NACL is attached to no subnet.
resource "aws_network_acl" "legacy-public" {
  vpc_id     = aws_vpc.legacy.id
  subnet_ids = [aws_subnet.legacy-public.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}

resource "aws_network_acl" "legacy-orphan" {
  vpc_id = aws_vpc.legacy.id
}

resource "aws_network_acl_rule" "legacy-orphan-rdp" {
  network_acl_id = aws_network_acl.legacy-orphan.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}

resource "aws_network_acl_rule" "legacy-orphan-all" {
  network_acl_id = aws_network_acl.legacy-orphan.id
  rule_number    = 200
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}
