"""care's periodic jobs (registered in CareConfig.ready, run by the worker). Closed worries are
anonymised by the daily retention run (wijkhuis.retention), with the other retention rules."""

from django.tasks import task


@task
def remind_worries() -> int:
    """Remind a house's team of new worries without first contact after 3 working days (once each)."""
    from care.worries import remind_unattended

    return remind_unattended()


@task
def follow_up_matches() -> int:
    """Ask both sides of a buddy match "Hoe gaat het?" four weeks after it started (once)."""
    from care.buddies import follow_up

    return follow_up()
