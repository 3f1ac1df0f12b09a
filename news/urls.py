from django.urls import path

from news import comment_views, koffiekrant_views, screen_views, views

app_name = "news"

urlpatterns = [
    path("<slug:house>/nieuws/", views.post_list, name="list"),
    path("<slug:house>/nieuws/feed/", views.PostFeed(), name="feed"),
    path("<slug:house>/nieuws/nieuw/", views.post_add, name="post_add"),
    path("<slug:house>/nieuws/<int:pk>/", views.post_detail, name="post"),
    path("<slug:house>/nieuws/<int:pk>/bewerken/", views.post_edit, name="post_edit"),
    path("<slug:house>/nieuws/<int:pk>/verwijderen/", views.post_delete, name="post_delete"),
    *comment_views.urlpatterns,
    *koffiekrant_views.urlpatterns,
    *screen_views.urlpatterns,
]
