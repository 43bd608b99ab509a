from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "prs.clients"
    label = "clients"
