from django.urls import path

from prs.accounts.apis import TokenApi

urlpatterns = [path("auth/token/", TokenApi.as_view(), name="auth-token")]
