"""The 360 pages, under /o/<org>/leadership/ (included from accord.urls)."""

from django.urls import path

from accord.leadership import views

urlpatterns = [
    path("", views.home, name="leadership"),
    path("start/", views.start_own, name="leadership-start"),
    path("reviews/<int:review_id>/", views.review_detail, name="leadership-review"),
    path("reviews/<int:review_id>/raters/", views.raters, name="leadership-raters"),
    path("reviews/<int:review_id>/approve/", views.approve, name="leadership-approve"),
    path("reviews/<int:review_id>/self/", views.self_assessment, name="leadership-self"),
    path("reviews/<int:review_id>/report/", views.report, name="leadership-report"),
    path("reviews/<int:review_id>/report.pdf", views.report_pdf, name="leadership-report-pdf"),
    path("reviews/<int:review_id>/release/", views.release, name="leadership-release"),
    path("reviews/<int:review_id>/decline/", views.decline, name="leadership-decline"),
    path("reviews/<int:review_id>/close/", views.close, name="leadership-close"),
    path("reviews/<int:review_id>/cancel/", views.cancel, name="leadership-cancel"),
    path("reviews/<int:review_id>/coach/", views.coach, name="leadership-coach"),
    path("reviews/<int:review_id>/plan/", views.plan, name="leadership-plan"),
    path("reviews/<int:review_id>/plan/check-in/", views.check_in, name="leadership-check-in"),
    path(
        "reviews/<int:review_id>/plan/actions/<int:action_id>/",
        views.action_done,
        name="leadership-action",
    ),
    path("reviews/<int:review_id>/reassess/", views.reassess, name="leadership-reassess"),
    path("reviews/<int:review_id>/share/", views.share, name="leadership-share"),
    path(
        "reviews/<int:review_id>/share/<int:person_id>/stop/",
        views.unshare,
        name="leadership-unshare",
    ),
    path("cohorts/", views.cohorts, name="leadership-cohorts"),
    path("cohorts/<int:cohort_id>/profile/", views.cohort_profile, name="leadership-profile"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="leadership-cohort"),
]
