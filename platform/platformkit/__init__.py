"""platformkit: the platform's component library, environment model, offline plan and parity check.

The folder that holds this package is called ``platform/``; the package itself is
``platformkit`` because a module named ``platform`` would shadow Python's standard library.
"""

__version__ = "0.1.0"
