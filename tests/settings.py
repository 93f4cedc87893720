"""Settings for the test suite: Accord's own, with test-only switches set first."""

import os
import tempfile

os.environ["ACCORD_TESTING"] = "1"
os.environ.setdefault("ACCORD_DATA_DIR", tempfile.mkdtemp(prefix="accord-test-"))
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # xdist's workers inherit the data directory the controller chose: each gets its own
    # inside it, so no two share a queue file or uploaded media.
    os.environ["ACCORD_DATA_DIR"] = os.path.join(os.environ["ACCORD_DATA_DIR"], worker)
os.environ.pop("DEBUG", None)

from accord.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
