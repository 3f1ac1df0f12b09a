"""Booking the living room: the form with free times, a booking's page, approvals, my bookings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities import services
from activities.forms import AttendanceForm, BookingForm, CancelForm, DayForm, DecisionForm, parse_day
from activities.models import Booking, Room
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require


def _add_problems(form, err: services.BookingError) -> None:
    for field, message in err.problems:
        form.add_error(field if field in form.fields else None, message)


@login_required
@house_view
def book(request, house: House):
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    day = asked_day = parse_day(source.get("date", source.get("datum")), today)
    # What the free times need of that day (closed, hours, bookings) comes with the rooms.
    rooms = services.rooms_with_day(house, day)
    if not can(request.user, "house.book", house):
        return render(request, "activities/book_not_allowed.html", {"house": house}, status=403)
    if not rooms:
        return render(request, "activities/book.html", {"house": house, "rooms": rooms})
    can_book_for = can(request.user, "bookings.book_for", house)
    room = next((r for r in rooms if str(r.pk) == source.get("room", source.get("ruimte"))), rooms[0])
    initial = {"room": room, "date": day, "attendees": 2, "category": Booking.Category.BIRTHDAY}
    form = BookingForm(
        request.POST or None,
        house=house,
        user=request.user,
        can_book_for=can_book_for,
        initial=initial,
        rooms=rooms,
    )
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Read before _add_problems: form.add_error() takes a field with an error (such as the date,
        # for the weekly limit) out of cleaned_data.
        room, day = data["room"], data["date"]
        booker = data.get("booker") or request.user
        details = services.BookingDetails(
            category=data["category"],
            title=data["title"],
            attendees=data["attendees"],
            is_public=data["is_public"],
        )
        try:
            if data["repeat"]:
                dates = services.series_dates(
                    data["date"], data["repeat"], until=data["repeat_until"], count=data["repeat_count"]
                )
                if request.POST.get("confirm_series") != "1":
                    plan = services.plan_series(
                        room=data["room"],
                        booker=booker,
                        dates=dates,
                        start_time=data["start"],
                        end_time=data["end"],
                        attendees=data["attendees"],
                    )
                else:
                    booked, skipped = services.create_series(
                        room=data["room"],
                        by=request.user,
                        booker=booker,
                        frequency=data["repeat"],
                        dates=dates,
                        start_time=data["start"],
                        end_time=data["end"],
                        details=details,
                        rules_accepted=data["rules_accepted"],
                    )
                    messages.success(
                        request,
                        ngettext("%(n)s date is booked.", "%(n)s dates are booked.", len(booked))
                        % {"n": len(booked)},
                    )
                    if skipped:
                        skipped_text = ", ".join(f"{timezone.localtime(p.start):%d-%m-%Y}" for p in skipped)
                        messages.warning(
                            request,
                            _("These dates were not free and are skipped: %(dates)s.")
                            % {"dates": skipped_text},
                        )
                    return redirect("my_bookings")
            else:
                booking = services.create_booking(
                    room=data["room"],
                    by=request.user,
                    booker=booker,
                    start=data["start_at"],
                    end=data["end_at"],
                    details=details,
                    rules_accepted=data["rules_accepted"],
                )
                if booking.status == Booking.Status.REQUESTED:
                    messages.success(
                        request,
                        _("Your request is sent. A coordinator looks at it; you get an e-mail."),
                    )
                else:
                    messages.success(request, _("The room is booked for you. You get an e-mail."))
                return redirect(booking)
        except services.BookingError as err:
            _add_problems(form, err)
    elif request.method == "POST":
        room = form.cleaned_data.get("room", room)
        day = form.cleaned_data.get("date", day)
    return render(
        request,
        "activities/book.html",
        {
            "house": house,
            "rooms": rooms,
            "room": room,
            "day": day,
            "day_form": DayForm(initial={"ruimte": room, "datum": day}, house=house, rooms=rooms),
            "form": form,
            "free": services.free_slots(room, day, facts=_facts(rooms, room, day, asked_day)),
            "plan": plan,
            "plan_free": [p for p in plan if p.free] if plan else [],
        },
    )


def _facts(rooms: list[Room], room: Room, day, asked_day) -> services.DayFacts | None:
    """The room's day as read with the rooms (for the day asked), or None: free_slots asks itself.
    A form's cleaned room is a copy of its own, without them."""
    if day != asked_day:
        return None
    read = next((r for r in rooms if r.pk == room.pk), None)
    return services.day_facts(read) if read is not None else None


def _booking_for(request, house: House, pk: int) -> Booking:
    booking = (
        Booking.objects.visible_to(request.user)
        .select_related("room__house", "booker", "created_by", "decided_by", "cancelled_by", "series")
        .filter(pk=pk, room__house=house)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


@login_required
@house_view
def booking_detail(request, house: House, pk: int):
    booking = _booking_for(request, house, pk)
    user = request.user
    now = timezone.now()
    may_decide = booking.status == Booking.Status.REQUESTED and can(user, "bookings.approve", house)
    may_mark = (
        booking.status == Booking.Status.CONFIRMED
        and booking.start <= now
        and (user.pk == booking.booker_id or can(user, "bookings.approve", house))
    )
    return render(
        request,
        "activities/booking.html",
        {
            "house": house,
            "booking": booking,
            "may_cancel": services.can_cancel(user, booking, now),
            "may_decide": may_decide,
            "may_mark": may_mark,
            "cancel_form": CancelForm(),
            "decision_form": DecisionForm(),
            "attendance_form": AttendanceForm(),
        },
    )


@require_POST
@login_required
@house_view
def cancel(request, house: House, pk: int):
    booking = _booking_for(request, house, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
        return redirect(booking)
    try:
        done = services.cancel_booking(
            booking_id=booking.pk,
            house=house,
            by=request.user,
            reason=form.cleaned_data["reason"],
            rest_of_series=form.cleaned_data["rest_of_series"],
        )
    except services.BookingError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request,
            ngettext(
                "The booking is cancelled. The time is free again.",
                "%(n)s bookings are cancelled. The times are free again.",
                len(done),
            )
            % {"n": len(done)},
        )
    return redirect(booking)


@require_POST
@login_required
@house_view
@require("bookings.approve")
def decide(request, house: House, pk: int):
    booking = _booking_for(request, house, pk)
    form = DecisionForm(request.POST)
    back = request.POST.get("back") == "requests"
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
    else:
        try:
            services.decide_booking(
                booking_id=booking.pk,
                house=house,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except services.BookingError as err:
            messages.error(request, str(err))
        else:
            text = (
                _("Approved. %(name)s gets an e-mail.")
                if form.cleaned_data["decision"] == "approve"
                else _("Declined. %(name)s gets an e-mail with your reason.")
            )
            messages.success(request, text % {"name": booking.booker})
    return redirect("activities:requests", house=house.slug) if back else redirect(booking)


@require_POST
@login_required
@house_view
def attendance(request, house: House, pk: int):
    booking = _booking_for(request, house, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes or no."))
        return redirect(booking)
    try:
        services.mark_attendance(
            booking_id=booking.pk, house=house, by=request.user, took_place=form.cleaned_data["took_place"]
        )
    except services.BookingError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("Thank you, it is noted."))
    return redirect(booking)


@login_required
@house_view
@require("bookings.approve")
def requests(request, house: House):
    waiting = (
        Booking.objects.in_house(house)
        .filter(status=Booking.Status.REQUESTED, period__endswith__gt=timezone.now())
        .select_related("room__house", "booker")  # the link to each booking names the house
        .order_by("period")
    )
    return render(
        request,
        "activities/requests.html",
        {"house": house, "waiting": waiting, "decision_form": DecisionForm()},
    )


@login_required
def my_bookings(request):
    now = timezone.now()
    mine = Booking.objects.filter(booker=request.user).select_related("room__house", "series")
    upcoming = list(mine.filter(period__endswith__gt=now).order_by("period"))
    past = list(mine.filter(period__endswith__lte=now).order_by("-period")[:50])
    return render(request, "activities/my_bookings.html", {"upcoming": upcoming, "past": past})
