"""User-facing errors: the CLI prints these as one clear message, never a traceback."""

from __future__ import annotations


class PlatformError(Exception):
    """An error caused by input the user can fix (a config file, a flag, a missing tool).

    ``exit_code`` is what the CLI exits with; ``hint`` tells the reader what to do.
    """

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(PlatformError):
    """A problem in an environment file, naming the file and the key."""

    def __init__(self, source: str, key: str | None, problem: str, *, hint: str | None = None) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}", hint=hint)


class ConfigErrors(PlatformError):
    """Several configuration problems found in one pass, reported together."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.message for e in errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
