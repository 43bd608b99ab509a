from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "prs.common"
    label = "common"

    def ready(self) -> None:
        from prs.common import schema  # noqa: F401 - registers the OpenAPI extensions
