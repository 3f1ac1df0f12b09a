"""What staff change in the summary: targets and stories. Each in one transaction, in the audit trail."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from residents.audit import CHANGED, record
from residents.models import House, User
from summary.models import Quote, Story, Target, TargetFigure


class SummaryError(Exception):
    """A change that cannot be made; the message is for the person who tried."""


def save_targets(*, house: House, by: User, values: dict[str, int | None]) -> dict[str, list]:
    """Set, change or remove (None) the pilot targets of a house; returns {figure: [old, new]}."""
    with transaction.atomic():
        existing = {t.figure: t for t in Target.objects.select_for_update().filter(house=house)}
        changes: dict[str, list] = {}
        for figure in TargetFigure.values:
            if figure not in values:
                continue
            new, old = values[figure], existing.get(figure)
            if new is not None and new < 1:
                raise SummaryError(f"{figure}: a target is 1 or more")
            if old is None and new is None:
                continue
            if old is None:
                Target.objects.create(house=house, figure=figure, value=new, updated_by=by)
            elif new is None:
                old.delete()
            elif old.value != new:
                old.value, old.updated_by = new, by
                old.save(update_fields=["value", "updated_by", "updated_at"])
            else:
                continue
            changes[figure] = [old.value if old else None, new]
        if changes:
            record("summary.targets", actor=by, house=house, changes=changes)
    return changes


def _story_state(story: Story, quotes: int) -> dict:
    """What the trail shows of a story: its period, title and number of quotes (not its words)."""
    return {
        "first_day": str(story.first_day),
        "last_day": str(story.last_day),
        "title": story.title,
        "quotes": quotes,
    }


def save_story(
    *, house: House, by: User, data: dict, quotes: list[tuple[str, str]], story: Story | None = None
) -> Story:
    """Add a story (story=None) or change one, its quotes replaced by `quotes` (text, said by)."""
    try:
        with transaction.atomic():
            if story is None:
                story = Story(house=house, created_by=by)
                action, before, old_text, old_quotes = "summary.story_add", None, "", []
            else:
                story = Story.objects.select_for_update().get(pk=story.pk, house=house)
                old_quotes = [(q.text, q.said_by) for q in story.quotes.all()]
                action, before, old_text = (
                    "summary.story_change",
                    _story_state(story, len(old_quotes)),
                    story.text,
                )
            for name, value in data.items():
                setattr(story, name, value)
            story.full_clean()
            story.save()
            story.quotes.all().delete()
            Quote.objects.bulk_create(
                Quote(story=story, text=text, said_by=said_by, position=n)
                for n, (text, said_by) in enumerate(quotes, 1)
            )
            after = _story_state(story, len(quotes))
            if before is None:
                changes = dict(after)
            else:
                changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
            # The story's words and the quotes (with who said them): only that they changed.
            if story.text != old_text:
                changes["text"] = CHANGED
            if before is not None and "quotes" not in changes and old_quotes != [tuple(q) for q in quotes]:
                changes["quotes"] = CHANGED
            record(action, actor=by, target=story, house=house, changes=changes)
    except ValidationError as err:
        raise SummaryError(" ".join(err.messages)) from err
    except IntegrityError as err:
        raise SummaryError(_("The story could not be saved. Please try again.")) from err
    return story


def delete_story(*, story: Story, by: User) -> None:
    with transaction.atomic():
        record(
            "summary.story_delete", actor=by, target=story, house=story.house, changes={"title": story.title}
        )
        story.delete()
