from django.apps import AppConfig


class SeedingConfig(AppConfig):
    name = "support.seeding"
    label = "seeding"
