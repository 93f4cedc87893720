"""Who may read and change which agreements: the expectations part of the permission model.

An agreement belongs to two people. Only they read its content — not their managers, not
an executive, not a program admin. The preparation is narrower still: its author's alone.

* The leader (who started it) prepares, drafts and proposes; the colleague accepts or
  proposes changes; either may raise and address concerns.
* Anyone with a login linked to an active person may start an agreement with any other active
  person of the organisation who has a login.

The ``*_to_*`` methods fetch and check in one call: the object, a 404 for an id the viewer
may not read, or :class:`~accord.access.scopes.NotAllowed` with the message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.scopes import CapabilityScope, NotAllowed
from accord.expectations.models import Agreement, Concern, FollowUp, Item, Meeting, Side
from accord.goals.visibility import NOT_IN_ORG_CHART
from accord.org.models import Person

LARGEST_ID = 2**63


@dataclass(frozen=True)
class ExpectationScope(CapabilityScope):
    def me(self) -> Person:
        if self.person is None:
            raise NotAllowed(NOT_IN_ORG_CHART)
        return self.person

    def agreements(self) -> QuerySet[Agreement]:
        """The agreements whose content the viewer reads: those they are one of the two of."""
        if self.person is None:
            return Agreement.objects.none()
        return Agreement.objects.filter(organisation=self.organisation).filter(
            Q(leader=self.person) | Q(colleague=self.person)
        )

    def get_agreement(self, agreement_id: int) -> Agreement:
        found = (
            self.agreements()
            .filter(pk=agreement_id)
            .select_related("leader__unit", "colleague__unit")
            .first()
            if 0 < agreement_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such agreement.")
        return found

    def side(self, agreement: Agreement) -> str:
        side = agreement.side_of(self.person)
        assert side is not None  # get_agreement let only the two through
        return side

    def agreement_to_lead(self, agreement_id: int) -> Agreement:
        """An agreement the viewer started: they prepare, draft and propose it."""
        agreement = self.get_agreement(agreement_id)
        if self.side(agreement) != Side.LEADER:
            raise NotAllowed("Only the leader who started the agreement prepares and drafts it.")
        return agreement

    def concern_to_address(self, concern_id: int) -> Concern:
        found = (
            Concern.objects.filter(pk=concern_id, agreement__in=self.agreements())
            .select_related("agreement")
            .first()
            if 0 < concern_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such concern.")
        return found

    def follow_up_to_answer(self, follow_up_id: int) -> FollowUp:
        found = (
            FollowUp.objects.filter(pk=follow_up_id, agreement__in=self.agreements())
            .select_related("agreement", "version")
            .first()
            if 0 < follow_up_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such follow-up.")
        return found

    def meeting_of(self, meeting_id: int) -> Meeting:
        """A meeting on one of the viewer's agreements."""
        found = (
            Meeting.objects.filter(pk=meeting_id, agreement__in=self.agreements())
            .select_related("agreement__leader", "agreement__colleague", "agreement__organisation")
            .first()
            if 0 < meeting_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such meeting.")
        return found

    def item_of(self, item_id: int) -> Item:
        """An expectation of one of the viewer's agreements."""
        found = (
            Item.objects.filter(pk=item_id, version__agreement__in=self.agreements())
            .select_related("version__agreement__leader", "version__agreement__colleague")
            .first()
            if 0 < item_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such expectation.")
        return found

    def colleagues(self) -> QuerySet[Person]:
        """Whom the viewer may start an agreement with: active people of the organisation
        who have a login here, the viewer aside."""
        people = Person.objects.filter(
            organisation=self.organisation,
            is_active=True,
            membership__organisation=self.organisation,
        )
        return people.exclude(pk=self.person.pk) if self.person is not None else people
