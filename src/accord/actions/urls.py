"""The loop's pages, under /o/<org>/actions/ (included from accord.urls)."""

from django.urls import path

from accord.actions import views

urlpatterns = [
    path("", views.plan_list, name="action-plans"),
    path("new/", views.plan_new, name="action-plan-new"),
    path("<int:plan_id>/", views.plan_detail, name="action-plan"),
    path("<int:plan_id>/edit/", views.plan_edit, name="action-plan-edit"),
    path("<int:plan_id>/status/", views.plan_status, name="action-plan-status"),
    path("<int:plan_id>/steps/", views.step_add, name="action-step-add"),
    path("steps/<int:step_id>/mark/", views.step_mark, name="action-step-mark"),
    path("<int:plan_id>/updates/", views.update_add, name="action-update-add"),
    path("<int:plan_id>/feedback/", views.feedback_run, name="action-feedback-run"),
    path("<int:plan_id>/feedback/publish/", views.feedback_publish, name="action-feedback-publish"),
    path("updates/<int:update_id>/publish/", views.update_publish, name="action-update-publish"),
    path("discussions/new/", views.discussion_new, name="team-discussion-new"),
    path("loop/", views.loop_latest, name="action-loop-latest"),
    path("loop/<int:cycle_id>/", views.loop_view, name="action-loop"),
    path("loop/<int:cycle_id>/export/<slug:fmt>/", views.loop_export, name="action-loop-export"),
    path("settings/", views.loop_settings, name="action-settings"),
    path("you-said-we-did/", views.you_said_we_did, name="you-said-we-did"),
]
