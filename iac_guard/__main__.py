"""``python -m iac_guard`` runs the command line, for environments without the console script."""

from .launch import main

main()
