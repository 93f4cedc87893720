from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "accord.insights"
    label = "insights"

    def ready(self) -> None:
        from accord.insights import publishing  # noqa: F401 — a worker must know its task
        from accord.insights.selectors import released_unit_pks
        from accord.surveys.selectors import RELEASED_UNITS

        # Surveys' cycle pages show response counts only for units the release shows.
        RELEASED_UNITS.reader = released_unit_pks
