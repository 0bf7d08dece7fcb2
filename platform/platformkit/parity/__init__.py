"""Parity check ("no snowflakes"): every difference between environments must be declared.

``compare`` takes the resource graph of each environment (the same program evaluated under
mocks) and reports every difference in shape or settings that ``environments/parity.yaml``
does not allow, plus allow-list entries that allowed nothing.
"""

from .allowlist import AllowList, CountEntry, PropertyEntry, ShapeEntry, load_allowlist
from .compare import compare
from .report import ComparedPair, Difference, ParityReport, UnusedEntry, render_text

__all__ = [
    "AllowList",
    "ComparedPair",
    "CountEntry",
    "Difference",
    "ParityReport",
    "PropertyEntry",
    "ShapeEntry",
    "UnusedEntry",
    "compare",
    "load_allowlist",
    "render_text",
]
