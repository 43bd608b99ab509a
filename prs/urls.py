"""URL configuration: the REST API lives under /api/."""
from django.urls import include, path

urlpatterns = [
    path("api/", include("prs.api_urls")),
]
