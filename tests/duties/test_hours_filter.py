import pytest
from django.utils import translation

from duties.templatetags.hours_tags import as_hours


@pytest.mark.parametrize(
    ("minutes", "dutch"),
    [
        (120, "2 uur"),
        (90, "1 uur en 30 minuten"),
        (45, "45 minuten"),
        (61, "1 uur en 1 minuut"),
        (0, "0 minuten"),
    ],
)
def test_minutes_read_as_people_say_them(minutes, dutch):
    with translation.override("nl"):
        assert as_hours(minutes) == dutch
