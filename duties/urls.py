from django.urls import path

from duties import duty_views, hours_views

app_name = "duties"

urlpatterns = [
    # A student's hours and progress; coordinators' review queue (hours_views)
    path("", hours_views.home, name="home"),
    path("nieuw/", hours_views.log_add, name="log_add"),
    path("<int:pk>/", hours_views.log_edit, name="log_edit"),
    path("<int:pk>/intrekken/", hours_views.log_withdraw, name="log_withdraw"),
    path("verklaring/", hours_views.statement, name="statement"),
    path("verklaring.pdf", hours_views.statement_pdf, name="statement_pdf"),
    path("beoordelen/", hours_views.review, name="review"),
    path("beoordelen/<int:pk>/terugsturen/", hours_views.log_return, name="log_return"),
    path("beoordelen/export.csv", hours_views.export, name="export"),
    # Duties and obligations (duty_views)
    path("taken/", duty_views.duties, name="duties"),
    path("taken/<int:pk>/nemen/", duty_views.duty_take, name="duty_take"),
    path("taken/<int:pk>/teruggeven/", duty_views.duty_return, name="duty_return"),
    path("<slug:house>/taken/nieuw/", duty_views.duty_add, name="duty_add"),
    path("<slug:house>/taken/<int:pk>/", duty_views.duty_edit, name="duty_edit"),
    path("<slug:house>/taken/<int:pk>/toewijzen/", duty_views.duty_assign, name="duty_assign"),
    path("<slug:house>/verplichtingen/", duty_views.obligations, name="obligations"),
]
