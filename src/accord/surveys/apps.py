from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "accord.surveys"
    label = "surveys"
