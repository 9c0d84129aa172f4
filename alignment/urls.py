from django.urls import path

from . import views

app_name = "alignment"

urlpatterns = [path("", views.alignment_page, name="page")]
