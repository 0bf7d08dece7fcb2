"""The environment's RDS PostgreSQL instance: private, encrypted, TLS-only, with an RDS-managed password."""

from .args import DatabaseArgs
from .component import Database

__all__ = ["Database", "DatabaseArgs"]
