"""The shadowing programme's pages, under /o/<org>/shadowing/ (included from accord.urls)."""

from django.urls import path

from accord.shadowing import views

urlpatterns = [
    path("", views.home, name="shadowing"),
    path("host/", views.host, name="shadowing-host"),
    path("host/status/", views.host_status, name="shadowing-host-status"),
    path("host/shifts/", views.slot_add, name="shadowing-slot-add"),
    path("host/shifts/<int:slot_id>/remove/", views.slot_remove, name="shadowing-slot-remove"),
    path("book/", views.book, name="shadowing-book"),
    path("visits/<int:visit_id>/", views.visit_detail, name="shadowing-visit"),
    path("visits/<int:visit_id>/answer/", views.visit_answer, name="shadowing-visit-answer"),
    path("visits/<int:visit_id>/cancel/", views.visit_cancel, name="shadowing-visit-cancel"),
    path("visits/<int:visit_id>/move/", views.visit_move, name="shadowing-visit-move"),
    path("visits/<int:visit_id>/reflection/", views.visit_reflect, name="shadowing-visit-reflect"),
    path("visits/<int:visit_id>/host-word/", views.visit_word, name="shadowing-visit-word"),
    path("commitments/", views.commitments, name="shadowing-commitments"),
    path(
        "commitments/<int:commitment_id>/",
        views.commitment_update,
        name="shadowing-commitment",
    ),
    path("coverage/", views.coverage, name="shadowing-coverage"),
    path("settings/", views.programme_settings, name="shadowing-settings"),
    path("invite/", views.invite, name="shadowing-invite"),
]
