from django.urls import path

from activities import activity_views, calendar_views, idea_views, room_views, signup_views, views

app_name = "activities"

urlpatterns = [
    # The living-room calendar and its public feed (calendar_views)
    path("<slug:house>/agenda/", calendar_views.calendar, name="calendar"),
    path("<slug:house>/agenda/feed.ics", calendar_views.house_feed, name="house_feed"),
    # Booking (views)
    path("<slug:house>/reserveren/", views.book, name="book"),
    path("<slug:house>/reserveringen/<int:pk>/", views.booking_detail, name="booking"),
    path("<slug:house>/reserveringen/<int:pk>/annuleren/", views.cancel, name="cancel"),
    path("<slug:house>/reserveringen/<int:pk>/besluit/", views.decide, name="decide"),
    path("<slug:house>/reserveringen/<int:pk>/aanwezig/", views.attendance, name="attendance"),
    path("<slug:house>/aanvragen/", views.requests, name="requests"),
    # The programme of activities (activity_views)
    path("<slug:house>/activiteiten/", activity_views.programme, name="programme"),
    path("<slug:house>/activiteiten/afdrukken/", activity_views.programme_print, name="programme_print"),
    path("<slug:house>/activiteiten/nieuw/", activity_views.activity_add, name="activity_add"),
    path("<slug:house>/activiteiten/<int:pk>/", activity_views.activity_detail, name="activity"),
    path("<slug:house>/activiteiten/<int:pk>/bewerken/", activity_views.activity_edit, name="activity_edit"),
    path(
        "<slug:house>/activiteiten/<int:pk>/afzeggen/", activity_views.activity_cancel, name="activity_cancel"
    ),
    path("<slug:house>/activiteiten/reeks/<int:pk>/", activity_views.series_edit, name="series_edit"),
    path("<slug:house>/activiteiten/reeks/<int:pk>/stoppen/", activity_views.series_stop, name="series_stop"),
    # Sign-ups, waiting list and attendance (signup_views)
    path("<slug:house>/activiteiten/<int:pk>/aanmelden/", signup_views.signup, name="signup"),
    path("<slug:house>/activiteiten/<int:pk>/afmelden/", signup_views.signup_cancel, name="signup_cancel"),
    path("<slug:house>/activiteiten/<int:pk>/aanmelden-voor/", signup_views.signup_for, name="signup_for"),
    path(
        "<slug:house>/activiteiten/<int:pk>/aanwezigheid/",
        signup_views.attendance,
        name="activity_attendance",
    ),
    path("<slug:house>/aanwezigheid/", signup_views.attendance_todo, name="attendance_todo"),
    # Residents' ideas and polls (idea_views)
    path("<slug:house>/ideeen/", idea_views.ideas, name="ideas"),
    path("<slug:house>/ideeen/nieuw/", idea_views.idea_add, name="idea_add"),
    path("<slug:house>/ideeen/<int:pk>/", idea_views.idea_detail, name="idea"),
    path("<slug:house>/ideeen/<int:pk>/steunen/", idea_views.idea_support, name="idea_support"),
    path("<slug:house>/ideeen/<int:pk>/status/", idea_views.idea_status, name="idea_status"),
    path("<slug:house>/peilingen/nieuw/", idea_views.poll_add, name="poll_add"),
    path("<slug:house>/peilingen/<int:pk>/", idea_views.poll_detail, name="poll"),
    # Rooms and their rules, for staff (room_views)
    path("<slug:house>/ruimtes/", room_views.rooms, name="rooms"),
    path("<slug:house>/ruimtes/nieuw/", room_views.room_add, name="room_add"),
    path("<slug:house>/ruimtes/<int:pk>/", room_views.room_edit, name="room_edit"),
    path("<slug:house>/ruimtes/<int:pk>/dicht/", room_views.closure_add, name="closure_add"),
    path(
        "<slug:house>/ruimtes/<int:pk>/dicht/<int:closure>/verwijderen/",
        room_views.closure_delete,
        name="closure_delete",
    ),
]
