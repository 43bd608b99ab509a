"""URL configuration: the REST API lives under /api/; a path that matches nothing there answers the API's JSON 404."""
from django.urls import include, path

urlpatterns = [
    path("api/", include("prs.api_urls")),
]

handler404 = "prs.common.transport.not_found"
