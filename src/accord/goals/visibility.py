"""Who may see and change which goals: the goals part of the permission model.

It starts from the viewer's :class:`~accord.access.scopes.Scope` (organisation, role, person)
and adds the rules that only goals have. People see goals along working relationships rather
than along the unit tree:

* program admins and executives see every goal in the organisation, as they see every unit;
* anyone with a person record sees their own goals, their boss's, those of everyone in their
  reporting line, and those of the people they share a leadership team with;
* a team's shared goals are seen by its members and by everyone who reports to a member;
* the organisation's own goals, and goals their owner opened to everyone, are seen by all.

Incentive weights are narrower still: the owner, the managers above them, and fellow members
of a team that has chosen to share weights (``Team.share_incentive_weights``). Nobody else —
not even an admin or an executive — sees how much of a person's bonus rides on a goal.

A person whose record is inactive keeps none of the relationships: they see only what the
organisation shows everyone.

The ``*_to_*`` methods fetch and check in one call, as every view and API handler needs:
``gscope.goal_to_edit(goal_id)`` returns the goal, raises ``Http404`` for an id the viewer
may not see (so the answer reveals nothing) and :class:`~accord.access.scopes.NotAllowed`,
carrying the message, for one they see but may not change. Each refusal is worded once, here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.models import Membership, Role
from accord.access.scopes import NotAllowed, Scope
from accord.goals import rules
from accord.goals.models import (
    Commitment,
    Contribution,
    Conversation,
    Goal,
    GoalLink,
    Team,
    TeamMember,
    Visibility,
)
from accord.org.models import Organisation, Person

NOT_IN_ORG_CHART = "Your login is not linked to anyone in the org chart."


@dataclass(frozen=True)
class GoalScope:
    scope: Scope

    @property
    def organisation(self) -> Organisation:
        return self.scope.organisation

    @cached_property
    def person(self) -> Person | None:
        person = self.scope.person
        return person if person is not None and person.is_active else None

    @cached_property
    def manager_ids(self) -> tuple[int, ...]:
        """The viewer's managers, from the top of the organisation down to their boss."""
        if self.person is None:
            return ()
        return self.person.manager_ids

    @cached_property
    def team_ids(self) -> frozenset[int]:
        if self.person is None:
            return frozenset()
        return frozenset(
            TeamMember.objects.filter(person=self.person).values_list("team_id", flat=True)
        )

    @cached_property
    def teammate_ids(self) -> frozenset[int]:
        return frozenset(
            TeamMember.objects.filter(team_id__in=self.team_ids).values_list("person_id", flat=True)
        )

    @cached_property
    def weight_sharing_teammate_ids(self) -> frozenset[int]:
        return frozenset(
            TeamMember.objects.filter(
                team_id__in=self.team_ids, team__share_incentive_weights=True
            ).values_list("person_id", flat=True)
        )

    def _reporting_line(self) -> QuerySet[Person]:
        assert self.person is not None
        return Person.objects.filter(
            organisation=self.organisation, reporting_path__startswith=self.person.reports_prefix
        )

    def owner_filter(self) -> Q:
        """People whose team-visible goals the viewer may see (as a filter on Person)."""
        if self.scope.sees_whole_organisation:
            return Q(organisation=self.organisation)
        if self.person is None:
            return Q(pk__in=[])
        boss = [self.person.manager_id] if self.person.manager_id else []
        return (
            Q(pk=self.person.pk)
            | Q(pk__in=boss)
            | Q(pk__in=list(self.teammate_ids))
            | Q(pk__in=self._reporting_line().values("pk"))
        )

    def people_with_visible_goals(self) -> QuerySet[Person]:
        return Person.objects.filter(self.owner_filter(), organisation=self.organisation)

    def people_whose_goals_open(self, people: Iterable[Person]) -> set[int]:
        """Which of ``people`` the viewer may open the goals page of: a page links only to
        those, so no link leads to a refusal."""
        ids = {person.pk for person in people}
        return set(self.people_with_visible_goals().filter(pk__in=ids).values_list("pk", flat=True))

    def get_person(self, person_id: int) -> Person:
        """A person whose goals the viewer may open (404 otherwise)."""
        person = (
            self.people_with_visible_goals()
            .select_related("unit", "manager")
            .filter(pk=person_id)
            .first()
        )
        if person is None:
            raise Http404("No such person.")
        return person

    def me(self) -> Person:
        """The viewer's own person record, for what only a person does (their own goal, a
        conversation they take part in)."""
        if self.person is None:
            raise NotAllowed(NOT_IN_ORG_CHART)
        return self.person

    def goals(self) -> QuerySet[Goal]:
        base = Goal.objects.filter(organisation=self.organisation)
        if self.scope.sees_whole_organisation:
            return base
        everyone = Q(visibility=Visibility.ORGANISATION) | Q(owner__isnull=True, team__isnull=True)
        if self.person is None:
            return base.filter(everyone)
        # A team's shared goals: its members, and everyone below a member.
        above_me = [*self.manager_ids, self.person.pk]
        teams = TeamMember.objects.filter(person_id__in=above_me).values("team_id")
        return base.filter(
            everyone
            | Q(owner__in=self.people_with_visible_goals().values("pk"))
            | Q(team__in=teams)
        )

    def get_goal(self, goal_id: int) -> Goal:
        goal = (
            self.goals()
            .select_related("owner__unit", "team__leader", "organisation", "unit")
            .filter(pk=goal_id)
            .first()
        )
        if goal is None:
            raise Http404("No such goal.")
        return goal

    def goal_to_edit(self, goal_id: int) -> Goal:
        """Change it, link it up or sideways, unlink it."""
        goal = self.get_goal(goal_id)
        self._require_edit(goal)
        return goal

    def _require_edit(self, goal: Goal) -> None:
        if not self.can_edit(goal):
            raise NotAllowed("Only the goal's owner, their managers or a program admin change it.")

    def goal_to_link_sideways(self, goal_id: int) -> Goal:
        goal = self.goal_to_edit(goal_id)
        if goal.owner is None:
            raise NotAllowed(rules.SIDEWAYS_LINKS_JOIN_PEOPLE)
        return goal

    def goal_to_check_in(self, goal_id: int) -> Goal:
        goal = self.get_goal(goal_id)
        if not self.can_check_in(goal):
            raise NotAllowed("Only the goal's owner, their managers or its team check in on it.")
        return goal

    def contribution_to_remove(self, contribution_id: int) -> Contribution:
        contribution = (
            Contribution.objects.filter(pk=contribution_id, goal__in=self.goals())
            .select_related("goal__organisation", "serves")
            .first()
        )
        if contribution is None:
            raise Http404("No such link.")
        self._require_edit(contribution.goal)
        return contribution

    def require_weights_of(self, owner: Person | None) -> None:
        """Only someone who may see a person's incentive weights sets one."""
        if owner is None or not self.can_see_weights_of(owner):
            raise NotAllowed(
                "You may not see this person's incentive weights, so you cannot set or change "
                "one; leave incentive_weight out."
            )

    # Sideways links.

    def links(self) -> QuerySet[GoalLink]:
        """Links between two goals the viewer may see."""
        visible = self.goals()
        return GoalLink.objects.filter(
            organisation=self.organisation, from_goal__in=visible, to_goal__in=visible
        )

    def get_link(self, link_id: int) -> GoalLink:
        link = (
            self.links()
            .filter(pk=link_id)
            .select_related("to_goal__owner", "from_goal__owner", "organisation")
            .first()
        )
        if link is None:
            raise Http404("No such link.")
        return link

    def link_to_answer(self, link_id: int) -> GoalLink:
        link = self.get_link(link_id)
        if not self.can_respond(link):
            raise NotAllowed("Only the owner of the linked goal answers for it.")
        return link

    def link_to_withdraw(self, link_id: int) -> GoalLink:
        """Withdraw it or reword its note."""
        link = self.get_link(link_id)
        if not self.can_withdraw(link):
            raise NotAllowed(
                "Only whoever declared the link, or the owner of the goal it starts from, "
                "withdraws or rewords it."
            )
        return link

    def link_to_resolve(self, link_id: int) -> GoalLink:
        link = self.get_link(link_id)
        if not self.can_resolve(link):
            raise NotAllowed("Only the owners of the two goals resolve a conflict between them.")
        return link

    # Teams.

    def teams(self) -> QuerySet[Team]:
        base = Team.objects.filter(organisation=self.organisation)
        if self.scope.sees_whole_organisation:
            return base
        if self.person is None:
            return base.none()
        above_me = [*self.manager_ids, self.person.pk]
        return base.filter(
            Q(pk__in=list(self.team_ids))
            | Q(leader__in=self._reporting_line().values("pk"))
            | Q(pk__in=TeamMember.objects.filter(person_id__in=above_me).values("team_id"))
        )

    def get_team(self, team_id: int) -> Team:
        team = self.teams().select_related("leader").filter(pk=team_id).first()
        if team is None:
            raise Http404("No such team.")
        return team

    def team_to_manage(self, team_id: int) -> Team:
        """Change the team, add its shared goals, import its goals."""
        team = self.get_team(team_id)
        if not self.can_manage_team(team):
            raise NotAllowed(
                "Only the team's leader or a program admin changes the team or adds its goals."
            )
        return team

    def team_to_map(self, team_id: int) -> Team:
        team = self.get_team(team_id)
        if not self.can_see_team_map(team):
            raise NotAllowed(
                "The alignment map is for the team's members, the managers above its leader, "
                "executives and program admins."
            )
        return team

    def teams_to_import_into(self) -> list[Team]:
        """The teams whose goals the viewer may import: those they manage (a program admin
        with no team yet still sees the page)."""
        teams = [t for t in self.teams().select_related("leader") if self.can_manage_team(t)]
        if not teams and not self.scope.is_admin:
            raise NotAllowed("Only a team's leader or a program admin imports its goals.")
        return teams

    def require_team_creator(self) -> None:
        if not self.can_create_team():
            raise NotAllowed("Only leaders and program admins create leadership teams.")

    def can_see_team_map(self, team: Team) -> bool:
        """The map shows who talked with whom: for the team, the leader's managers and
        the organisation-wide roles only."""
        if self.scope.sees_whole_organisation:
            return True
        if self.person is None:
            return False
        return team.pk in self.team_ids or team.leader.reporting_path.startswith(
            self.person.reports_prefix
        )

    def can_manage_team(self, team: Team) -> bool:
        return self.scope.is_admin or (self.person is not None and team.leader_id == self.person.pk)

    def can_create_team(self) -> bool:
        return self.scope.is_admin or (self.scope.role == Role.LEADER and self.person is not None)

    # What the viewer may do with a goal.

    def _manages(self, person: Person) -> bool:
        return self.person is not None and person.reporting_path.startswith(
            self.person.reports_prefix
        )

    def can_see_weight(self, goal: Goal) -> bool:
        return goal.owner is not None and self.can_see_weights_of(goal.owner)

    def can_see_weights_of(self, owner: Person) -> bool:
        """Whether the viewer may see ``owner``'s incentive weights, and so set one: the
        100% check would otherwise tell them what the owner's other goals carry."""
        if self.person is None:
            return False
        return (
            owner.pk == self.person.pk
            or self._manages(owner)
            or owner.pk in self.weight_sharing_teammate_ids
        )

    def can_edit(self, goal: Goal) -> bool:
        if self.scope.is_admin:
            return True
        if goal.owner is not None:
            return self.person is not None and (
                goal.owner.pk == self.person.pk or self._manages(goal.owner)
            )
        if goal.team is not None:
            return self.person is not None and goal.team.leader_id == self.person.pk
        return self.scope.role == Role.EXECUTIVE

    def can_check_in(self, goal: Goal) -> bool:
        if goal.team is not None and goal.team_id in self.team_ids:
            return True
        return self.can_edit(goal)

    def can_respond(self, link: GoalLink) -> bool:
        """Only the other owner (the owner of the *to* goal) confirms or disputes a link;
        never whoever declared it, and nobody on the owner's behalf."""
        to_owner = link.to_goal.owner_id
        return (
            self.person is not None
            and to_owner == self.person.pk
            and link.from_goal.owner_id != self.person.pk
            and link.declared_by_id != self.scope.membership.user_id
        )

    def can_withdraw(self, link: GoalLink) -> bool:
        """Whoever declared a link, or the owner of the goal it starts from, may withdraw or
        reword it; never the other owner (they dispute it), nor a manager or admin who did
        not declare it."""
        if self.person is not None and link.from_goal.owner_id == self.person.pk:
            return True
        return link.declared_by_id is not None and (
            link.declared_by_id == self.scope.membership.user_id
        )

    def can_resolve(self, link: GoalLink) -> bool:
        """Either owner marks a conflict between their goals resolved or escalated."""
        return self.person is not None and self.person.pk in (
            link.from_goal.owner_id,
            link.to_goal.owner_id,
        )

    def can_add_goal_for(self, person: Person) -> bool:
        if self.scope.is_admin:
            return True
        return self.person is not None and (person.pk == self.person.pk or self._manages(person))

    def can_add_organisation_goal(self) -> bool:
        return self.scope.sees_whole_organisation

    def require_organisation_goals(self) -> None:
        if not self.can_add_organisation_goal():
            raise NotAllowed("Only program admins and executives set organisation goals.")

    def require_goals_for(self, person: Person) -> None:
        if not self.can_add_goal_for(person):
            raise NotAllowed("You can add goals for yourself and the people who report to you.")

    # Conversations.

    def conversations(self) -> QuerySet[Conversation]:
        base = Conversation.objects.filter(organisation=self.organisation)
        if self.scope.sees_whole_organisation:
            return base
        if self.person is None:
            return base.none()
        led = Team.objects.filter(leader=self.person).values("pk")
        return base.filter(
            Q(person_a=self.person)
            | Q(person_b=self.person)
            | Q(organised_by=self.scope.membership.user)
            | Q(team__in=led)
        )

    def get_conversation(self, conversation_id: int) -> Conversation:
        conversation = (
            self.conversations()
            .select_related("person_a", "person_b", "team", "organisation")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            raise Http404("No such conversation.")
        return conversation

    def conversation_to_record(self, conversation_id: int) -> Conversation:
        conversation = self.get_conversation(conversation_id)
        if not self.can_record(conversation):
            raise NotAllowed(
                "Only the two people, the organiser, the team's leader or a program admin "
                "record it."
            )
        return conversation

    def conversation_to_change(self, conversation_id: int) -> Conversation:
        """Move it, cancel it, mark its commitments."""
        conversation = self.get_conversation(conversation_id)
        self._require_change(conversation)
        return conversation

    def _require_change(self, conversation: Conversation) -> None:
        if not self.can_change_conversation(conversation):
            raise NotAllowed(
                "Only the two people, the organiser, the team's leader or a program admin "
                "change it."
            )

    def get_commitment(
        self, commitment_id: int, *, conversation_id: int | None = None
    ) -> Commitment:
        found = Commitment.objects.filter(pk=commitment_id, conversation__in=self.conversations())
        if conversation_id is not None:
            found = found.filter(conversation_id=conversation_id)
        commitment = (
            found.select_related("conversation__person_a", "conversation__person_b",
                                 "conversation__team", "conversation__organisation", "owner")
            .first()
        )  # fmt: skip
        if commitment is None:
            raise Http404("No such commitment.")
        return commitment

    def commitment_to_mark(self, commitment_id: int) -> Commitment:
        commitment = self.get_commitment(commitment_id)
        self._require_change(commitment.conversation)
        return commitment

    def may_schedule(self, first: Person, second: Person, team: Team | None) -> bool:
        """A conversation the viewer takes part in; a team's leader, one between two members
        of the team; a program admin, any."""
        me = self.person.pk if self.person else None
        if self.scope.is_admin or me in (first.pk, second.pk):
            return True
        return (
            team is not None
            and team.leader_id == me
            and team.members.filter(pk__in=[first.pk, second.pk]).count() == 2
        )

    def pair_to_schedule(
        self, person_ids: Sequence[int], *, team_id: int | None = None
    ) -> tuple[Person, Person, Team | None]:
        """One id: the viewer and that person; two: those two. Each must be someone whose
        goals the viewer sees, and the team one they see."""
        people = [self.get_person(pk) for pk in person_ids]
        if len(people) == 1:
            people.insert(0, self.me())
        first, second = people
        team = self.get_team(team_id) if team_id is not None else None
        if not self.may_schedule(first, second, team):
            raise NotAllowed(
                "You can schedule conversations you take part in; a team's leader can schedule "
                "them for two members of the team."
            )
        return first, second, team

    def can_change_conversation(self, conversation: Conversation) -> bool:
        """Reschedule or cancel it, mark its commitments done: whoever may record it."""
        return self.can_record(conversation)

    def can_record(self, conversation: Conversation) -> bool:
        if self.scope.is_admin:
            return True
        if self.person is None:
            return conversation.organised_by_id == self.scope.membership.user_id
        return (
            self.person.pk in (conversation.person_a_id, conversation.person_b_id)
            or conversation.organised_by_id == self.scope.membership.user_id
            or (conversation.team is not None and conversation.team.leader_id == self.person.pk)
        )


def goal_scope(scope: Scope) -> GoalScope:
    return GoalScope(scope)


def goal_scope_of(person: Person) -> GoalScope:
    """What ``person`` may see: through their login when they have one, otherwise by the
    relationships every person has (a plain member's view)."""
    membership = Membership.objects.filter(
        person=person, organisation_id=person.organisation_id
    ).first()
    if membership is None:
        membership = Membership(organisation=person.organisation, person=person, role=Role.MEMBER)
    return GoalScope(Scope(membership))
