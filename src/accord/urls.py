from django.contrib.auth import views as auth_views
from django.urls import include, path

from accord.access import views as access_views
from accord.access.forms import SetPasswordLinkForm
from accord.api.api import api
from accord.core import views as core_views
from accord.org import views as org_views
from accord.surveys import respondent_views
from accord.surveys import views as survey_views

org = "o/<slug:org_slug>/"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=SetPasswordLinkForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(org, core_views.organisation_home, name="org-home"),
    path(org + "units/", org_views.unit_list, name="unit-list"),
    path(org + "units/<int:unit_id>/", org_views.unit_detail, name="unit-detail"),
    path(org + "people/", org_views.person_list, name="person-list"),
    path(org + "people/<int:person_id>/", org_views.person_detail, name="person-detail"),
    path(org + "import/", org_views.import_upload, name="import-upload"),
    path(org + "import/<int:import_id>/", org_views.import_preview, name="import-preview"),
    path(org + "import/<int:import_id>/confirm/", org_views.import_confirm, name="import-confirm"),
    path(org + "import/<int:import_id>/discard/", org_views.import_discard, name="import-discard"),
    path(org + "logins/", access_views.login_list, name="login-list"),
    path(
        org + "logins/<int:membership_id>/role/", access_views.login_change_role, name="login-role"
    ),
    path(
        org + "logins/<int:membership_id>/remove/", access_views.login_remove, name="login-remove"
    ),
    path(org + "tokens/", access_views.token_list, name="token-list"),
    path(org + "tokens/<int:token_id>/revoke/", access_views.token_revoke, name="token-revoke"),
    path(org + "surveys/", survey_views.cycle_list, name="survey-cycles"),
    path(org + "surveys/new/", survey_views.cycle_create, name="survey-cycle-new"),
    path(org + "surveys/instruments/", survey_views.instrument_list, name="survey-instruments"),
    path(org + "surveys/<int:cycle_id>/", survey_views.cycle_detail, name="survey-cycle"),
    path(org + "surveys/<int:cycle_id>/edit/", survey_views.cycle_edit, name="survey-cycle-edit"),
    path(org + "surveys/<int:cycle_id>/answer/", survey_views.answer_own, name="survey-answer-own"),
    path(org + "surveys/<int:cycle_id>/codes/", survey_views.cycle_codes, name="survey-codes"),
    path(
        org + "surveys/<int:cycle_id>/<slug:action>/",
        survey_views.cycle_action,
        name="survey-cycle-action",
    ),
    # Respondents: no login; the token travels in a cookie after the first request.
    path("s/", respondent_views.start, name="survey-start"),
    path("s/answer/", respondent_views.answer, name="survey-answer"),
    path("s/done/", respondent_views.done, name="survey-done"),
    path("s/<str:token>/", respondent_views.follow_link, name="survey-link"),
    path(org + "goals/", include("accord.goals.urls")),
    path(org + "results/", include("accord.insights.urls")),
    path(org + "actions/", include("accord.actions.urls")),
    path(org + "expectations/", include("accord.expectations.urls")),
    path(org + "shadowing/", include("accord.shadowing.urls")),
    path(org + "leadership/", include("accord.leadership.urls")),
    path(org + "charters/", include("accord.charters.urls")),
    path("api/", api.urls),
]
