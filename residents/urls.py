from django.urls import path

from residents import audit_views, views

app_name = "residents"

urlpatterns = [
    path("<slug:house>/lid-worden/", views.join, name="join"),
    path("<slug:house>/leden/", views.members, name="members"),
    path("<slug:house>/leden/nieuw/", views.register, name="register"),
    path("<slug:house>/leden/<int:user_id>/", views.person, name="person"),
    path("<slug:house>/leden/<int:user_id>/nieuws-schrijven/", views.editor, name="editor"),
    path("<slug:house>/leden/verzoek/<int:membership_id>/", views.decide, name="decide"),
    path("<slug:house>/logboek/", audit_views.audit, name="audit"),
]
