"""`python -m rostersync` is the `rostersync` command."""

from rostersync.cli.app import main

main()
