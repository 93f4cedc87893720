"""A sideways link is confirmed or disputed by the other goal's owner, never by the one who
declared it.
"""

from __future__ import annotations

from accord.goals import services
from tests.cast import Cast
from tests.goals.world import goal, url


def test_the_declarer_cannot_confirm_their_own_link(cast: Cast) -> None:
    chads = goal(cast, "chad", "Chad throughput", metric="Throughput", direction="increase",
                 baseline="1", target="2")  # fmt: skip
    noras = goal(cast, "nora", "Nora quality", metric="Quality", direction="increase",
                 baseline="1", target="2")  # fmt: skip
    to_nora = services.declare_link(from_goal=chads, to_goal=noras, kind="supports",
                                    note="helps", actor=cast.chair)  # fmt: skip
    # Chad manages nora and may edit her goal, but the link is his: he may not answer it.
    chad = cast.client_for(cast.chair)
    assert chad.post(url("link-respond", to_nora.pk), {"answer": "confirm"}).status_code == 403
    # Declared by chad from nora's goal to his own: he owns the "to" goal but declared it.
    to_chad = services.declare_link(from_goal=noras, to_goal=chads, kind="depends",
                                    note="needs it", actor=cast.chair)  # fmt: skip
    assert chad.post(url("link-respond", to_chad.pk), {"answer": "confirm"}).status_code == 403
    admin = cast.client_for(cast.admin)
    assert admin.post(url("link-respond", to_nora.pk), {"answer": "confirm"}).status_code == 403
    nora = cast.client_for(cast.nurse_manager)
    assert nora.post(url("link-respond", to_nora.pk), {"answer": "confirm"}).status_code == 302
    to_nora.refresh_from_db()
    assert to_nora.status == "confirmed"
