from django.urls import path

from residents import audit_views, ending_views, leaving_views, mydata_views, views
from residents.decorators import archive_allowed

app_name = "residents"

urlpatterns = [
    path("<slug:house>/lid-worden/", views.join, name="join"),
    path("<slug:house>/leden/", views.members, name="members"),
    path("<slug:house>/leden/nieuw/", views.register, name="register"),
    path("<slug:house>/leden/<int:user_id>/", views.person, name="person"),
    path("<slug:house>/leden/<int:user_id>/nieuws-schrijven/", views.editor, name="editor"),
    path(
        "<slug:house>/leden/<int:user_id>/gegevens/",
        archive_allowed(mydata_views.person_export),
        name="person_export",
    ),
    path("<slug:house>/leden/<int:user_id>/verwijderen/", leaving_views.erase_on_request, name="erase"),
    path("<slug:house>/leden/verzoek/<int:membership_id>/", views.decide, name="decide"),
    path("<slug:house>/logboek/", audit_views.audit, name="audit"),
    path("<slug:house>/archief/", ending_views.archive, name="archive"),
]
