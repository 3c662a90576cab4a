"""The ``despina`` command line.

``main.py`` holds the entry point and the registry of subcommands; each subcommand is one small
module here with ``HELP`` (one line for ``despina --help``), ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code). Subcommand modules import heavy things inside ``run`` so
that ``despina --help`` stays quick.
"""
