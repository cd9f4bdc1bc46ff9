"""`python -m service` runs the `omnia-migrate` command line."""

from service.app.cli import main

raise SystemExit(main())
