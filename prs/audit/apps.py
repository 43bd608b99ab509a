from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "prs.audit"
    label = "audit"
