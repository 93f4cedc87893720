from django.apps import AppConfig


class ChartersConfig(AppConfig):
    name = "accord.charters"
    default_auto_field = "django.db.models.BigAutoField"
