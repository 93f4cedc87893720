from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "accord.actions"
    label = "actions"
