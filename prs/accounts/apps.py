from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "prs.accounts"
    label = "accounts"
