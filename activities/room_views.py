"""Staff pages for the rooms of a house: rules, bookable hours, closed periods."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities import room_services
from activities.forms_rooms import ClosureForm, HoursFormSet, RoomForm
from activities.models import Room, RoomClosure, RoomHours
from residents.decorators import house_view
from residents.models import House
from residents.permissions import require


def _room_of(house: House, pk: int) -> Room:
    """A room of this house; another house's room is a 404."""
    return get_object_or_404(Room.objects.filter(house=house).select_related("house"), pk=pk)


@login_required
@house_view
@require("rooms.manage")
def rooms(request, house: House):
    today = timezone.localdate()
    room_list = Room.objects.filter(house=house).prefetch_related(
        "hours",
        Prefetch(
            "closures", queryset=RoomClosure.objects.filter(last_day__gte=today), to_attr="coming_closures"
        ),
    )
    return render(request, "activities/rooms.html", {"house": house, "rooms": room_list})


@login_required
@house_view
@require("rooms.manage")
def room_add(request, house: House):
    room = Room(house=house)
    form = RoomForm(request.POST or None, instance=room)
    hours = HoursFormSet(request.POST or None, instance=room, prefix="hours")
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        room = room_services.create_room(
            house=house, by=request.user, values=form.cleaned_data, hours=hours.blocks()
        )
        messages.success(request, _("The room %(name)s is added.") % {"name": room.name})
        return redirect("activities:room_edit", house=house.slug, pk=room.pk)
    return _form_page(request, house, None, form, hours)


@login_required
@house_view
@require("rooms.manage")
def room_edit(request, house: House, pk: int):
    room = _room_of(house, pk)
    room_name = room.name  # the form writes what was typed onto `room`, also when it is refused
    form = RoomForm(request.POST or None, instance=room)
    hours = HoursFormSet(
        request.POST or None, instance=room, prefix="hours", queryset=RoomHours.objects.filter(room=room)
    )
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        # The ModelForm already copied its values onto `room`; the service compares with the database.
        changed = room_services.update_room(
            room=room, by=request.user, values=form.cleaned_data, hours=hours.blocks()
        )
        if not changed:
            messages.info(request, _("Nothing was changed."))
        elif "rules" in changed:
            messages.success(
                request,
                _("Saved. The rules are now version %(n)s: whoever books next accepts them again.")
                % {"n": room.rules_version},
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("activities:room_edit", house=house.slug, pk=room.pk)
    return _form_page(request, house, room, form, hours, room_name=room_name)


@require_POST
@login_required
@house_view
@require("rooms.manage")
def closure_add(request, house: House, pk: int):
    room = _room_of(house, pk)
    closure_form = ClosureForm(request.POST)
    if not closure_form.is_valid():
        messages.error(request, _("The closed period is not added. See the message below."))
        form = RoomForm(instance=room)
        hours = HoursFormSet(instance=room, prefix="hours")
        return _form_page(request, house, room, form, hours, closure_form)
    closure, affected = room_services.add_closure(room=room, by=request.user, **closure_form.cleaned_data)
    messages.success(request, _("The room is closed from %(first)s to %(last)s.") % _days(closure))
    if affected:
        messages.warning(
            request,
            ngettext(
                "%(n)s booking falls in this period. It is not cancelled: let the person know.",
                "%(n)s bookings fall in this period. They are not cancelled: let the people know.",
                affected,
            )
            % {"n": affected},
        )
    return redirect(f"{room_url(house, room)}#closures")


@require_POST
@login_required
@house_view
@require("rooms.manage")
def closure_delete(request, house: House, pk: int, closure: int):
    room = _room_of(house, pk)
    item = get_object_or_404(RoomClosure.objects.filter(room=room), pk=closure)
    room_services.delete_closure(closure=item, by=request.user)
    messages.success(request, _("The closed period %(first)s to %(last)s is removed.") % _days(item))
    return redirect(f"{room_url(house, room)}#closures")


# --- helpers ---------------------------------------------------------------------------------


def room_url(house: House, room: Room) -> str:
    from django.urls import reverse

    return reverse("activities:room_edit", kwargs={"house": house.slug, "pk": room.pk})


def _days(closure: RoomClosure) -> dict[str, str]:
    from django.utils.formats import date_format

    return {
        "first": date_format(closure.first_day, "j F Y"),
        "last": date_format(closure.last_day, "j F Y"),
    }


def _form_page(request, house, room, form, hours, closure_form=None, room_name=None):
    closures = list(room.closures.all()) if room is not None else []
    return render(
        request,
        "activities/room_form.html",
        {
            "house": house,
            "room": room,
            "room_name": room_name or (room.name if room is not None else ""),
            "form": form,
            "hours": hours,
            "closures": closures,
            "closure_form": closure_form or ClosureForm(),
            "today": timezone.localdate(),
        },
    )
