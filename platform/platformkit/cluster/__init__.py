"""The environment's EKS cluster: control plane, managed node groups, IRSA, core add-ons, Kubernetes provider."""

from .args import ClusterArgs
from .component import Cluster

__all__ = ["Cluster", "ClusterArgs"]
