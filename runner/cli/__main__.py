"""`python -m runner.cli`: the `saksrobot` command."""

from runner.cli import main

main()
