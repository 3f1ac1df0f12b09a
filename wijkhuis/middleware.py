"""Middleware for running in production: a clear answer when the database is away or a request is
too large, instead of an error page and a mail to the admins."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger("wijkhuis.serving")

# How long a browser or load balancer may wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Before anything touches the database, make sure it answers; if it does not (PostgreSQL is
    restarting, the network is down), answer 503 with a plain page and Retry-After.

    With CONN_HEALTH_CHECKS the first query of a request checks the kept connection anyway; doing it
    here costs nothing extra and replaces a dropped connection by a new one, so a restarted database
    is used again without restarting the app. Static files (whitenoise, earlier in the list) never
    get here; the health endpoint gives its own answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == _health_path():
            return self.get_response(request)  # the health endpoint reports the database itself
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as exc:
            logger.warning("Database unavailable, answered 503: %s", exc, extra={"path": request.path})
            request.database_unavailable = True  # for wijkhuis.logging.DatabaseOutageFilter
            return unavailable_response()
        return self.get_response(request)


def _health_path() -> str | None:
    try:
        return reverse("health")
    except NoReverseMatch:
        return None


def unavailable_response() -> HttpResponse:
    # Rendered without context processors: they would ask the database, which is away.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than REQUEST_MAX_MB (413) before it is read, so a huge upload never
    fills the temporary folder when there is no proxy in front to stop it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE limits the form fields but not uploaded files; this limit is
    the whole body. Three photos of at most 10 MB fit (news posts take three).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_MB * 1024 * 1024
        if length > limit:
            # Django logs the 413 (django.request, WARNING); nothing more to say here.
            return render(request, "413.html", {"limit_mb": settings.REQUEST_MAX_MB}, status=413)
        return self.get_response(request)
