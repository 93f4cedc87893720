"""Goals and alignment pages, under /o/<org>/goals/ (included from accord.urls)."""

from django.urls import path

from accord.goals import views

urlpatterns = [
    path("", views.goal_home, name="goal-home"),
    path("new/", views.goal_create, name="goal-create"),
    path("<int:goal_id>/", views.goal_detail, name="goal-detail"),
    path("<int:goal_id>/edit/", views.goal_edit, name="goal-edit"),
    path("<int:goal_id>/check-in/", views.goal_check_in, name="goal-check-in"),
    path("<int:goal_id>/serves/", views.goal_contribute, name="goal-contribute"),
    path("<int:goal_id>/links/", views.goal_link, name="goal-link"),
    path(
        "serves/<int:contribution_id>/remove/",
        views.contribution_remove,
        name="contribution-remove",
    ),
    path("links/<int:link_id>/answer/", views.link_respond, name="link-respond"),
    path("links/<int:link_id>/withdraw/", views.link_withdraw, name="link-withdraw"),
    path("links/<int:link_id>/resolve/", views.link_resolve, name="link-resolve"),
    path("people/<int:person_id>/", views.person_goals, name="person-goals"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team-edit"),
    path("teams/<int:team_id>/map/", views.team_map, name="team-map"),
    path("map/<str:direction>/", views.my_map, name="my-map"),
    path(
        "conversations/new/<int:person_id>/",
        views.conversation_schedule,
        name="conversation-schedule",
    ),
    path(
        "conversations/<int:conversation_id>/",
        views.conversation_detail,
        name="conversation-detail",
    ),
    path(
        "conversations/<int:conversation_id>/record/",
        views.conversation_record,
        name="conversation-record",
    ),
    path(
        "conversations/<int:conversation_id>/reschedule/",
        views.conversation_reschedule,
        name="conversation-reschedule",
    ),
    path(
        "conversations/<int:conversation_id>/cancel/",
        views.conversation_cancel,
        name="conversation-cancel",
    ),
    path(
        "commitments/<int:commitment_id>/done/",
        views.commitment_mark,
        name="commitment-mark",
    ),
    path(
        "conversations/<int:conversation_id>/invitation.ics",
        views.conversation_ics,
        name="conversation-ics",
    ),
    path("import/", views.goal_import, name="goal-import"),
    path("history/", views.goal_audit, name="goal-audit"),
]
