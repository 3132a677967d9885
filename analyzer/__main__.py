"""``python -m analyzer`` runs the command-line tool."""

from .cli import main

main()
