"""`python -m playground` does what the `playground` command does."""

from playground.cli.main import main

raise SystemExit(main())
