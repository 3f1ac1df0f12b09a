from django.urls import path

from activities import calendar_views, room_views, views

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
