"""Agreements' pages, under /o/<org>/expectations/ (included from accord.urls)."""

from django.urls import path

from accord.expectations import views

urlpatterns = [
    path("", views.agreement_list, name="agreements"),
    path("new/", views.agreement_new, name="agreement-new"),
    path("overview/", views.overview, name="agreements-overview"),
    path("<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("<int:agreement_id>/preparation/", views.preparation, name="agreement-preparation"),
    path("<int:agreement_id>/draft/", views.draft_edit, name="agreement-draft"),
    path("<int:agreement_id>/propose/", views.propose, name="agreement-propose"),
    path("<int:agreement_id>/accept/", views.accept, name="agreement-accept"),
    path("<int:agreement_id>/changes/", views.propose_changes, name="agreement-changes"),
    path("<int:agreement_id>/concerns/", views.concern_add, name="agreement-concern-add"),
    path("<int:agreement_id>/meeting/", views.meeting_schedule, name="agreement-meeting"),
    path("<int:agreement_id>/cadence/", views.cadence, name="agreement-cadence"),
    path("<int:agreement_id>/review/", views.review, name="agreement-review"),
    path("meetings/<int:meeting_id>/move/", views.meeting_move, name="agreement-meeting-move"),
    path(
        "meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="agreement-meeting-cancel"
    ),
    path(
        "meetings/<int:meeting_id>/record/", views.meeting_record, name="agreement-meeting-record"
    ),
    path("items/<int:item_id>/goal/", views.item_goal, name="agreement-item-goal"),
    path("settings/", views.settings_edit, name="agreements-settings"),
    path("remove/", views.remove, name="agreements-remove"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up_answer, name="agreement-follow-up"),
    path(
        "concerns/<int:concern_id>/address/",
        views.concern_address,
        name="agreement-concern-address",
    ),
]
