"""The load test's baseline: a bare Django page rendering 50 rows for a signed-in person.

Only in bench.settings_load's ROOT_URLCONF (this module), in front of the portal's own URLs. The
request passes the portal's whole middleware (sessions, CSRF, authentication, language, messages,
allauth, the MFA check), as every page does; the view itself does what a simple page must: one
query for 50 rows and a small template, without the portal's base template, navigation and
context processors. bench.load prints each page's throughput as a ratio of this one.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from activities.models import Booking
from wijkhuis.urls import handler403, handler404, handler500
from wijkhuis.urls import urlpatterns as portal

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

ROWS = 50

TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Baseline</title></head>
<body>
<main>
<h1>{{ user.name }}</h1>
<table>
<thead><tr><th>Dag</th><th>Tijd</th><th>Ruimte</th><th>Wat</th><th>Mensen</th></tr></thead>
<tbody>
{% for b in rows %}<tr>
<td>{{ b.start|date:"j F Y" }}</td><td>{{ b.start|time:"H:i" }}–{{ b.end|time:"H:i" }}</td>
<td>{{ b.room.name }}</td><td>{{ b.title }}</td><td>{{ b.attendees }}</td>
</tr>{% endfor %}</tbody>
</table>
</main>
</body>
</html>
"""
)


@login_required
def baseline(request):
    """The 50 newest bookings with their room: one query on the primary key's index."""
    rows = list(Booking.objects.select_related("room").order_by("-pk")[:ROWS])
    return HttpResponse(TEMPLATE.render({"rows": rows, "user": request.user}))


urlpatterns = [path("bench-baseline/", baseline, name="bench_baseline"), *portal]
