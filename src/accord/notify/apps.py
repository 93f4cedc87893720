from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "accord.notify"
    label = "notify"
