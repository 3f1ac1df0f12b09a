"""The information screen for the TV in the living room, and the page where staff find its address.

The screen itself needs no login: its address holds a secret. It does its own lookup instead of
using house_view, so the TV keeps working whatever the rules for who may see a house's pages.
"""

from __future__ import annotations

import base64
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from news.models import Screen
from news.screen import renew_screen, screen_content, screen_for
from residents.decorators import house_view
from residents.models import House, HouseSlug
from residents.permissions import require

# The page reloads itself this often (seconds): a meta refresh, so it works without JavaScript.
REFRESH_SECONDS = 60


@require_GET
def screen(request: HttpRequest, house: str, token: str) -> HttpResponse:
    """The full-screen page for the TV. A wrong or old secret is a 404, like an unknown page."""
    found = Screen.objects.select_related("house").filter(house__slug=house, house__is_active=True).first()
    if found is None:
        # The house got a new short name: the TV's old address follows, if its secret is right.
        old = (
            HouseSlug.objects.select_related("house__screen")
            .filter(slug=house, house__is_active=True)
            .first()
        )
        moved = getattr(old.house, "screen", None) if old is not None else None
        if moved is not None and constant_time_compare(moved.token, token):
            return redirect(_screen_path(moved), permanent=True)
        raise Http404
    if not constant_time_compare(found.token, token):
        raise Http404
    # WCAG 2.2.1 and 2.2.2: whoever uses the page on a computer can turn the reloading off.
    paused = request.GET.get("verversen") == "uit"
    response = render(
        request,
        "news/screen.html",
        {
            "house": found.house,
            "content": screen_content(found.house),
            "refresh_seconds": None if paused else REFRESH_SECONDS,
            "paused": paused,
        },
    )
    # The address is a secret: not in search engines, not in a Referer, not in any cache.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _screen_path(screen: Screen) -> str:
    return reverse("news:screen", kwargs={"house": screen.house.slug, "token": screen.token})


class RenewForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the old address stops working"),
        error_messages={
            "required": gettext_lazy("Tick the box first: after this the TV needs the new address.")
        },
    )


def _qr_code(text: str) -> str:
    """The address as a QR code (an SVG data URL), or "" without the qrcode package.

    qrcode comes with django-allauth[mfa] (authenticator apps); the screen adds no dependency."""
    try:
        import qrcode
        from qrcode.image.svg import SvgPathImage
    except ImportError:  # pragma: no cover - present with allauth[mfa]
        return ""
    out = io.BytesIO()
    qrcode.make(text, image_factory=SvgPathImage, border=2).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _manage(request: HttpRequest, house: House, form: RenewForm) -> HttpResponse:
    screen = screen_for(house)
    screen_path = _screen_path(screen)
    address = request.build_absolute_uri(screen_path)
    prefix = address[: -len(screen.token) - 1]
    return render(
        request,
        "news/screen_manage.html",
        {
            "house": house,
            "screen": screen,
            "screen_path": screen_path,
            "address": address,
            # In groups of four, so it is easier to type with a remote control.
            "address_prefix": prefix,
            "token_groups": [screen.token[i : i + 4] for i in range(0, len(screen.token), 4)],
            "qr_code": _qr_code(address),
            "form": form,
        },
    )


@never_cache
@login_required
@house_view
@require("screen.manage")
def screen_manage(request: HttpRequest, house: House) -> HttpResponse:
    """For coordinators and staff: the screen's address to type into the TV, and renewing it."""
    return _manage(request, house, RenewForm())


@never_cache
@require_POST
@login_required
@house_view
@require("screen.manage")
def screen_renew(request: HttpRequest, house: House) -> HttpResponse:
    form = RenewForm(request.POST)
    if not form.is_valid():
        return _manage(request, house, form)
    renew_screen(house, request.user)
    messages.success(
        request,
        _("The screen has a new address. The old link no longer works: type the new address into the TV."),
    )
    return redirect("news:screen_manage", house=house.slug)


urlpatterns = [
    path("<slug:house>/scherm/", screen_manage, name="screen_manage"),
    # Before the screen's own address, which would take "vernieuwen" for a secret.
    path("<slug:house>/scherm/vernieuwen/", screen_renew, name="screen_renew"),
    path("<slug:house>/scherm/<str:token>/", screen, name="screen"),
]
