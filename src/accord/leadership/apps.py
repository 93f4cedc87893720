from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "accord.leadership"
    default_auto_field = "django.db.models.BigAutoField"
