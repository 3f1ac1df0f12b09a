from django.urls import path

from summary import views

app_name = "summary"

urlpatterns = [
    path("overzicht/", views.all_summary, name="all"),
    path("overzicht/afdrukken/", views.all_print, name="all_print"),
    path("overzicht/csv/", views.all_csv, name="all_csv"),
    path("overzicht/pdf/", views.all_pdf, name="all_pdf"),
    path("<slug:house>/overzicht/", views.house_summary, name="house"),
    path("<slug:house>/overzicht/afdrukken/", views.house_print, name="house_print"),
    path("<slug:house>/overzicht/csv/", views.house_csv, name="house_csv"),
    path("<slug:house>/overzicht/pdf/", views.house_pdf, name="house_pdf"),
    path("<slug:house>/overzicht/doelen/", views.targets, name="targets"),
    path("<slug:house>/overzicht/verhaal/", views.stories, name="stories"),
    path("<slug:house>/overzicht/verhaal/nieuw/", views.story_add, name="story_add"),
    path("<slug:house>/overzicht/verhaal/<int:pk>/", views.story_edit, name="story_edit"),
    path("<slug:house>/overzicht/verhaal/<int:pk>/verwijderen/", views.story_delete, name="story_delete"),
]
