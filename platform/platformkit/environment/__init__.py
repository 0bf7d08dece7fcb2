"""The environment model and its loader: the only place environments differ."""

from .loader import find_root, known_environments, load_all, load_environment, stack_file
from .model import EnvironmentConfig

__all__ = ["EnvironmentConfig", "find_root", "known_environments", "load_all", "load_environment", "stack_file"]
