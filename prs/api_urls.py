"""Routes of the REST API (filled in app by app)."""
urlpatterns: list = []
