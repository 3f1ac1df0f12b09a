"""care's periodic jobs (registered in CareConfig.ready, run by the worker)."""

from django.tasks import task


@task
def remind_worries() -> int:
    """Remind a house's team of new worries without first contact after 3 working days (once each)."""
    from care.worries import remind_unattended

    return remind_unattended()


@task
def anonymise_worries() -> int:
    """Retention: strip the person and their words from worries closed longer than WORRY_RETENTION_DAYS."""
    from care.worries import anonymise_closed

    return anonymise_closed()


@task
def follow_up_matches() -> int:
    """Ask both sides of a buddy match "Hoe gaat het?" four weeks after it started (once)."""
    from care.buddies import follow_up

    return follow_up()
