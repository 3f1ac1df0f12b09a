"""Benchmarks. They use their own database `wijkhuis_bench` on the embedded server, never the demo's."""

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkhuis.settings")
    os.environ.setdefault("MFA_REQUIRED_FOR_STAFF", "false")
    if not os.environ.get("DATABASE_URL"):
        from wijkhuis import localdb

        os.environ["DATABASE_URL"] = localdb.ensure_running("wijkhuis_bench")
    import django

    django.setup()
    # Production-like: hashed static files as whitenoise serves them (into the git-ignored STATIC_ROOT).
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
