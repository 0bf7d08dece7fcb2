"""Pulumi entry point (``main: stacks/`` in Pulumi.yaml): build the platform for the selected stack."""

from stacks.program import main

main()
