"""``python -m platformkit.cli`` runs the ``platform`` command."""

from .main import main

main()
