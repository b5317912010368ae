"""`python -m services.cli`: the `hotline` command."""

from services.cli import main

main()
