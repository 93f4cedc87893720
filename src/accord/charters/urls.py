"""The charter pages, under /o/<org>/charters/ (included from accord.urls)."""

from django.urls import path

from accord.charters import views

urlpatterns = [
    path("", views.home, name="charters"),
    path("start/", views.start, name="charter-start"),
    path("<int:charter_id>/", views.detail, name="charter"),
    path("<int:charter_id>/charter.pdf", views.charter_pdf, name="charter-pdf"),
    path("<int:charter_id>/values/", views.values, name="charter-values"),
    path("<int:charter_id>/draft/", views.draft, name="charter-draft"),
    path("<int:charter_id>/propose/", views.propose, name="charter-propose"),
    path("<int:charter_id>/revise/", views.revise, name="charter-revise"),
    path("<int:charter_id>/discard/", views.discard, name="charter-discard"),
    path("<int:charter_id>/endorse/", views.endorse, name="charter-endorse"),
    path("<int:charter_id>/versions/", views.versions, name="charter-versions"),
    path("<int:charter_id>/versions/<int:number>/", views.version, name="charter-version"),
    path("<int:charter_id>/revisit/", views.revisit, name="charter-revisit"),
    path("<int:charter_id>/revisit/open/", views.open_revisit, name="charter-revisit-open"),
    path("<int:charter_id>/revisit/close/", views.close_revisit, name="charter-revisit-close"),
    path("<int:charter_id>/pulse/", views.pulse, name="charter-pulse"),
    path(
        "<int:charter_id>/pulse/<int:pulse_id>/withdraw/",
        views.withdraw_pulse,
        name="charter-pulse-withdraw",
    ),
    path("<int:charter_id>/settings/", views.settings_page, name="charter-settings"),
    path("<int:charter_id>/people/", views.people, name="charter-people"),
    path("<int:charter_id>/hand-over/", views.hand_over, name="charter-hand-over"),
]
