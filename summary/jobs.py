"""The summary's periodic job: count what changed, so the first summary after a busy day is fast."""

from django.tasks import task


@task
def count_changes() -> int:
    """Count again the months and people marked as changed (summary.stored.refresh)."""
    from summary import stored

    return stored.refresh()
