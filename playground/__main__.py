"""`python -m playground` does what the `playground` command does."""

from playground.cli import main

raise SystemExit(main())
