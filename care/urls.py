from care import buddy_views, worry_views

app_name = "care"

urlpatterns = [*worry_views.urlpatterns, *buddy_views.urlpatterns]
