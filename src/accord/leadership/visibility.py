"""Who may do and read what in leaders' 360s: this app's part of the permission model.

* The leader (the review's subject) reads their own 360 throughout: the raters they asked,
  their own ratings, and the report once it is released to them.
* The approver — the leader's manager in the org chart, or a program admin when there is
  none — reads the raters and approves or changes them; never the report.
* In a coached 360 the coach reads the report first and releases it to the leader.
* The development plan is read by the leader, their coach and the mentor they name; the
  leader writes it, and all three record check-ins.
* The leader may share their released report with someone in the org chart, who then reads
  it too.
* Program admins start cohorts and follow their progress: statuses and counts, never who was
  asked, never a rating, never a report. Executives and admins read a cohort's competency
  profile: averages over at least five leaders, computed once the cohort is finished.
* Raters answer through their one-time link (the surveys app); a rater with a login may
  decline on their page of feedback requests.

The ``*_to_*`` methods fetch and check in one call: the object, a 404 for an id the viewer
may not read, or :class:`~accord.access.scopes.NotAllowed` with the message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.models import Role
from accord.access.scopes import CapabilityScope, NotAllowed
from accord.leadership.models import Cohort, Review, ReviewStatus
from accord.org.models import Person

LARGEST_ID = 2**63
NO_PERSON = (
    "Your login is not linked to a person in the org chart, so you have no 360 of your own. "
    "A program admin can link it."
)
REPORT_STATUSES = (ReviewStatus.WITH_COACH, ReviewStatus.RELEASED)


@dataclass(frozen=True)
class LeadershipScope(CapabilityScope):
    def me(self) -> Person:
        if self.person is None:
            raise NotAllowed(NO_PERSON)
        return self.person

    @property
    def is_admin(self) -> bool:
        return self.scope.role == Role.ADMIN

    @property
    def may_ask_for_own(self) -> bool:
        """Those who lead ask for their own 360 (a cohort may include anyone an admin names)."""
        person = self.person
        if person is None or self.scope.is_coach:
            return False
        return person.is_leader or self.scope.role in (Role.ADMIN, Role.EXECUTIVE, Role.LEADER)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise NotAllowed("Program admins run 360 cohorts.")

    def _reviews(self) -> QuerySet[Review]:
        return Review.objects.filter(organisation=self.organisation).select_related(
            "subject__unit", "approver", "cohort", "cycle", "coach"
        )

    def readable(self) -> QuerySet[Review]:
        """The 360s the viewer may open: their own, those they approve, those they coach;
        an admin every one (its status and counts — the page shows an admin nothing more)."""
        reviews = self._reviews()
        if self.is_admin:
            return reviews
        mine = Q(coach=self.user)
        if self.person is not None:
            person = self.person
            mine |= (
                Q(subject=person) | Q(approver=person) | Q(plan__mentor=person)
                | Q(shares__person=person, status=ReviewStatus.RELEASED)
            )  # fmt: skip
        return reviews.filter(mine).distinct()

    def _fetch(self, review_id: int) -> Review:
        if not 0 < review_id < LARGEST_ID:
            raise Http404
        review = self.readable().filter(pk=review_id).first()
        if review is None:
            raise Http404
        return review

    # --- what the viewer is to the review -------------------------------------------------

    def is_subject(self, review: Review) -> bool:
        return self.person is not None and review.subject_id == self.person.pk

    def is_approver(self, review: Review) -> bool:
        if review.approver_id is None:
            return self.is_admin
        return self.person is not None and review.approver_id == self.person.pk

    def is_coach(self, review: Review) -> bool:
        return review.coach_id == self.user.pk

    def is_mentor(self, review: Review) -> bool:
        plan = getattr(review, "plan", None)
        return plan is not None and self.person is not None and plan.mentor_id == self.person.pk

    def follows_plan(self, review: Review) -> bool:
        """The leader, their coach and their mentor read the plan and record check-ins."""
        return self.is_subject(review) or self.is_coach(review) or self.is_mentor(review)

    # --- fetch and check -------------------------------------------------------------------

    def review_of(self, review_id: int) -> Review:
        return self._fetch(review_id)

    def review_to_nominate(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.is_subject(review):
            raise NotAllowed("Only the leader chooses their raters; the approver may change them.")
        if review.status != ReviewStatus.NOMINATING:
            raise NotAllowed("The raters were sent for approval already.")
        return review

    def review_to_rate_self(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.is_subject(review):
            raise NotAllowed("Only the leader rates themself.")
        if not review.under_way:
            raise NotAllowed("The round has closed: your own ratings are in the report as given.")
        return review

    def review_to_approve(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.is_approver(review):
            raise NotAllowed(
                "The leader's manager approves the raters (a program admin when there is none)."
            )
        if review.status != ReviewStatus.AWAITING_APPROVAL:
            raise NotAllowed("These raters are not waiting for approval.")
        return review

    def review_to_run(self, review_id: int) -> Review:
        """An admin's steps: close the round early, cancel, assign a coach."""
        review = self._fetch(review_id)
        self.require_admin()
        return review

    def is_shared_with(self, review: Review) -> bool:
        return self.person is not None and review.shares.filter(person=self.person).exists()

    def sees_report(self, review: Review) -> bool:
        if self.is_subject(review) or self.is_shared_with(review):
            return review.status == ReviewStatus.RELEASED
        return self.is_coach(review) and review.status in REPORT_STATUSES

    def report_of(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.sees_report(review):
            if self.is_subject(review) and review.status == ReviewStatus.WITH_COACH:
                raise NotAllowed("Your coach releases your report after your first conversation.")
            raise NotAllowed("The report is the leader's (and their coach's) alone.")
        return review

    def review_to_release(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.is_coach(review):
            raise NotAllowed("The coach releases a coached report.")
        if review.status != ReviewStatus.WITH_COACH:
            raise NotAllowed("This report is not waiting for its coach.")
        return review

    def plan_of(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.follows_plan(review):
            raise NotAllowed("A development plan is the leader's, their coach's and mentor's.")
        return review

    def review_to_plan(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.is_subject(review):
            raise NotAllowed("The leader writes their own development plan.")
        if review.status != ReviewStatus.RELEASED:
            raise NotAllowed("A plan is built from the report, once it is released to you.")
        return review

    def review_to_share(self, review_id: int) -> Review:
        review = self._fetch(review_id)
        if not self.is_subject(review):
            raise NotAllowed("Only the leader shares their report.")
        if review.status != ReviewStatus.RELEASED:
            raise NotAllowed("A report is shared once it is released to you.")
        return review

    @property
    def sees_cohort_profiles(self) -> bool:
        return self.scope.role in (Role.ADMIN, Role.EXECUTIVE)

    def cohort_profile_of(self, cohort_id: int) -> Cohort:
        """Executives and admins read a cohort's profile (aggregates over five leaders)."""
        if not self.sees_cohort_profiles:
            raise NotAllowed("Executives and program admins read cohorts' profiles.")
        return self._cohort(cohort_id)

    def _cohort(self, cohort_id: int) -> Cohort:
        if not 0 < cohort_id < LARGEST_ID:
            raise Http404
        cohort = Cohort.objects.filter(organisation=self.organisation, pk=cohort_id).first()
        if cohort is None:
            raise Http404
        return cohort

    def cohort_of(self, cohort_id: int) -> Cohort:
        self.require_admin()
        return self._cohort(cohort_id)
