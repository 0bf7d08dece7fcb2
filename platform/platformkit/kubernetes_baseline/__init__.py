"""The Kubernetes baseline: managed namespaces with their guard rails, and the cluster's priority classes."""

from .args import KubernetesBaselineArgs
from .component import KubernetesBaseline

__all__ = ["KubernetesBaseline", "KubernetesBaselineArgs"]
