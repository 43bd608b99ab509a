from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "prs.notifications"
    label = "notifications"
