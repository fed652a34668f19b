"""`python -m bot` is the `zhiyong` command."""

from bot.cli import main

main()
