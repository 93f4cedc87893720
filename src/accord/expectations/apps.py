from django.apps import AppConfig


class ExpectationsConfig(AppConfig):
    name = "accord.expectations"
    default_auto_field = "django.db.models.BigAutoField"
