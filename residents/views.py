"""Joining a house, verifying members, acting for residents, my page, language."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from residents import registry, services
from residents.decorators import house_view
from residents.forms import (
    ChooseHouseForm,
    DecisionForm,
    JoinForm,
    LanguageForm,
    PersonForm,
    RegisterResidentForm,
)
from residents.models import CalendarFeed, House, Membership, Role, User
from residents.permissions import can, require


@login_required
@house_view
def join(request, house: House):
    mine = Membership.objects.filter(user=request.user, house=house, role=Role.RESIDENT).first()
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_membership(
                user=request.user, house=house, motivation=form.cleaned_data["motivation"]
            )
        except services.MembershipError as err:
            messages.error(request, str(err))
        else:
            messages.success(
                request,
                _("Thank you. Staff of %(house)s will verify your request; you get an e-mail.")
                % {"house": house},
            )
        return redirect("mine")
    return render(request, "residents/join.html", {"house": house, "form": form, "mine": mine})


@login_required
@house_view
@require("members.view")
def members(request, house: House):
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(house=house)
        .select_related("user", "organisation")
        .order_by(Lower("user__name"), "role")
    )
    pending = [m for m in memberships if m.status == Membership.Status.PENDING]
    current = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    return render(
        request,
        "residents/members.html",
        {
            "house": house,
            "pending": pending,
            "current": current,
            "decision_form": DecisionForm(),
            "counts": Membership.objects.filter(house=house).aggregate(
                active=Count("pk", filter=Q(status=Membership.Status.ACTIVE)),
                pending=Count("pk", filter=Q(status=Membership.Status.PENDING)),
            ),
        },
    )


@require_POST
@login_required
@house_view
@require("members.verify")
def decide(request, house: House, membership_id: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose verify or decline."))
        return redirect("residents:members", house=house.slug)
    approve = form.cleaned_data["decision"] == "verify"
    try:
        membership = services.decide_membership(
            membership_id=membership_id,
            house=house,
            by=request.user,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    except services.MembershipError as err:
        messages.error(request, str(err))
    else:
        text = (
            _("%(name)s is now a verified member.") if approve else _("The request of %(name)s is declined.")
        )
        messages.success(request, text % {"name": membership.user})
    return redirect("residents:members", house=house.slug)


@login_required
@house_view
@require("members.register")
def register(request, house: House):
    form = RegisterResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.register_resident(
                house=house,
                by=request.user,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"] or None,
            )
        except services.MembershipError as err:
            form.add_error("email", str(err))
        else:
            messages.success(request, _("%(name)s is registered as a resident.") % {"name": person})
            return redirect("residents:person", house=house.slug, user_id=person.pk)
    return render(request, "residents/register.html", {"house": house, "form": form})


@login_required
@house_view
@require("members.act_for")
def person(request, house: House, user_id: int):
    person = (
        User.objects.visible_to(request.user).filter(pk=user_id, memberships__house=house).distinct().first()
    )
    if person is None:
        raise Http404
    form = PersonForm(request.POST or None, initial={"name": person.name, "phone": person.phone})
    if request.method == "POST" and form.is_valid():
        services.update_person_on_behalf(person=person, house=house, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved on behalf of %(name)s.") % {"name": person})
        return redirect("residents:person", house=house.slug, user_id=person.pk)
    from residents.models import AuditEvent

    history = AuditEvent.objects.filter(
        Q(on_behalf_of=person) | Q(target_type__model="user", target_id=str(person.pk)),
        house=house,
    ).select_related("actor")[:20]
    memberships = list(person.memberships.filter(house=house))
    active_roles = {m.role for m in memberships if m.status == Membership.Status.ACTIVE}
    return render(
        request,
        "residents/person.html",
        {
            "house": house,
            "person": person,
            "form": form,
            "history": history,
            "memberships": memberships,
            "may_grant_editor": can(request.user, "news.grant_editor", house)
            and bool(active_roles & {Role.RESIDENT, Role.STUDENT}),
            "is_editor": Role.EDITOR in active_roles,
        },
    )


@require_POST
@login_required
@house_view
@require("news.grant_editor")
def editor(request, house: House, user_id: int):
    """Staff let a resident or student write news for the house, or stop it."""
    person = (
        User.objects.visible_to(request.user).filter(pk=user_id, memberships__house=house).distinct().first()
    )
    if person is None:
        raise Http404
    grant = request.POST.get("editor") == "on"
    try:
        services.set_editor(person=person, house=house, by=request.user, editor=grant)
    except services.MembershipError as err:
        messages.error(request, str(err))
    else:
        text = (
            _("%(name)s can now write news for %(house)s.")
            if grant
            else _("%(name)s can no longer write news for %(house)s.")
        )
        messages.success(request, text % {"name": person, "house": house})
    return redirect("residents:person", house=house.slug, user_id=person.pk)


@login_required
def mine(request):
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("house")
        # The calendar address comes along (a join), instead of a query of its own.
        .annotate(feed_token=F("user__calendar_feed__token"))
        .order_by(Lower("house__name"), "role")
    )
    if memberships:
        feed_token = memberships[0].feed_token
    else:
        feed_token = CalendarFeed.objects.filter(user=request.user).values_list("token", flat=True).first()
    choose = ChooseHouseForm(request.GET or None, user=request.user)
    if request.GET and choose.is_valid():
        return redirect("residents:join", house=choose.cleaned_data["house"].slug)
    # Someone who lives in a house gets a link to the list of houses; the list of houses to choose
    # from is for those who have no house yet (and anyone who used it and made a mistake).
    lives_somewhere = any(
        m.role in (Role.RESIDENT, Role.STUDENT) and m.status != Membership.Status.ENDED for m in memberships
    )
    if lives_somewhere and not request.GET:
        choose = None
    managed = (
        # Houses by id, not where(): counting over where()'s own join counted only this person's
        # membership, so the waiting requests never showed.
        House.objects.filter(
            pk__in=Membership.objects.active()
            .filter(user=request.user, role__in=[Role.STAFF, Role.COORDINATOR])
            .values("house")
        )
        .annotate(pending=Count("memberships", filter=Q(memberships__status=Membership.Status.PENDING)))
        .order_by(Lower("name"))
        # Most people manage no house: their roles (read with them) say so without a query.
        if request.user.has_any_role(Role.STAFF, Role.COORDINATOR)
        else House.objects.none()
    )
    return render(
        request,
        "residents/mine.html",
        {
            "memberships": memberships,
            "choose_form": choose,
            "managed": managed,
            "sections": registry.mine_sections,
            "calendar_feed": CalendarFeed(user=request.user, token=feed_token) if feed_token else None,
        },
    )


@require_POST
def set_language(request):
    """Switch language; stored on the account of a logged-in person, in a cookie for visitors."""
    from django.conf import settings

    form = LanguageForm(request.POST)
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if not form.is_valid():
        messages.error(request, _("This language is not available."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


class ConfirmLoginCodeView(allauth_views.ConfirmLoginCodeView):
    """allauth's code page, which says why it sends you back when the code has expired."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if getattr(self, "_process", True) is None:
            messages.error(
                request,
                _(
                    "Your login code has expired or was used too often. "
                    "Ask for a new code; it is valid for 10 minutes."
                ),
            )
        return response


confirm_login_code = ConfirmLoginCodeView.as_view()
