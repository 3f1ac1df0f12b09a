#!/usr/bin/env python
"""Django's command-line utility. Starts the embedded PostgreSQL first when no DATABASE_URL is set."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkhuis.settings")
    from wijkhuis import localdb

    localdb.prepare_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
