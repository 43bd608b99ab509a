from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "prs.commissions"
    label = "commissions"
