"""The environment's S3 buckets (artifacts, access logs, backups)."""

from .args import StorageArgs
from .component import Storage

__all__ = ["Storage", "StorageArgs"]
