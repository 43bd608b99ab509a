"""Routes of the REST API, mounted under /api/ by prs.urls."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("prs.accounts.urls")),
    path("", include("prs.clients.urls")),
    path("", include("prs.deals.urls")),
    path("", include("prs.commissions.urls")),
    path("", include("prs.notifications.urls")),
    path("", include("prs.audit.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
