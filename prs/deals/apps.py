from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "prs.deals"
    label = "deals"
