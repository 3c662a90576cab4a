"""`python -m despina ...` is the `despina` command."""

from despina.cli.main import main

raise SystemExit(main())
