"""The environment's VPC: subnets per AZ, NAT egress, flow logs and VPC endpoints."""

from .args import NetworkArgs
from .component import Network

__all__ = ["Network", "NetworkArgs"]
