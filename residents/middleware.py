from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from residents.permissions import handles_personal_data


class LanguageMiddleware:
    """Dutch first. A visitor's choice lives in a cookie; a logged-in person's on their account.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the portal is
    Dutch unless someone picks English, so a shared computer in the living room shows Dutch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        languages = dict(settings.LANGUAGES)
        user = request.user
        if user.is_authenticated and user.language in languages:
            language = user.language
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if language not in languages:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        if user.is_authenticated and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            # Keep the cookie in step, so the choice stays after logging out.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=365 * 24 * 3600,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response


# Paths a person without a second step may still reach: the set-up itself, logging out, statements.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/taal/", "/toegankelijkheid/", "/privacy/", "/health/")


class RequireMFAMiddleware:
    """Staff and coordinators see people's data, so they must set up two-step login first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and handles_personal_data(request.user)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                messages.info(
                    request,
                    _(
                        "You can see other people's personal data. To protect it, set up "
                        "two-step login with an app on your phone first."
                    ),
                )
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
