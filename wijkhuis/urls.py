from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from activities import signup_views
from activities import views as activities_views
from residents import leaving_views, mydata_views
from residents import views as residents_views
from wijkhuis import feeds, health, views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Wijkhuis beheer"

handler403 = "wijkhuis.views.error_403"
handler404 = "wijkhuis.views.error_404"
handler500 = "wijkhuis.views.error_500"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    # For load balancers and monitors: 200 or 503, no details (wijkhuis/health.py)
    path("health/", health.health, name="health"),
    # Before allauth's own: the same page, with a message when the code has expired.
    path(
        "accounts/login/code/confirm/",
        residents_views.confirm_login_code,
        name="account_confirm_login_code",
    ),
    path("accounts/", include("allauth.urls")),
    path("mijn/", residents_views.mine, name="mine"),
    path("taal/", residents_views.set_language, name="set_language"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/<slug:house>/", views.privacy, name="privacy_house"),
    path("mijn/gegevens/verwijderen/", leaving_views.leave, name="leave"),
    path("mijn/tot-ziens/", leaving_views.left, name="left"),
    path("mijn/boekingen/", activities_views.my_bookings, name="my_bookings"),
    path("mijn/herinneringen/", signup_views.reminders_setting, name="reminders_setting"),
    # Everything the portal holds about the person, and the download of it (residents/mydata_views.py)
    path("mijn/gegevens/", mydata_views.my_data, name="my_data"),
    path("mijn/gegevens/download/", mydata_views.download, name="my_data_download"),
    # A person's secret calendar feed and renewing its address (wijkhuis/feeds.py)
    path("mijn/agenda/<str:token>.ics", feeds.personal_feed, name="personal_feed"),
    path("mijn/agenda-link/", feeds.renew_feed, name="renew_feed"),
    path("uren/", include("duties.urls")),
    path("", include("residents.urls")),
    path("", include("activities.urls")),
    path("", include("news.urls")),
    path("", include("summary.urls")),
    path("", include("care.urls")),
    path("<slug:house>/", views.house_home, name="house"),
]

if settings.MEDIA_STORAGE == "local":
    # Uploaded pictures (re-encoded on upload) from MEDIA_ROOT. SecurityMiddleware adds nosniff; a
    # deployment may serve MEDIA_ROOT from its web server instead (deploy/nginx.conf). With object
    # storage (MEDIA_STORAGE=s3) files have signed addresses at the bucket and this route is not there.
    urlpatterns.insert(
        -1, re_path(r"^media/(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT}, name="media")
    )
