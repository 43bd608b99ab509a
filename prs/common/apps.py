from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "prs.common"
    label = "common"
