"""Settings for the test suite: Accord's own, with test-only switches set first."""

import os
import tempfile

os.environ["ACCORD_TESTING"] = "1"
os.environ.setdefault("ACCORD_DATA_DIR", tempfile.mkdtemp(prefix="accord-test-"))
os.environ.pop("DEBUG", None)

from accord.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
