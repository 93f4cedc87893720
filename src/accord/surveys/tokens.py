"""One-time survey tokens and the keyed marks that record an answer without naming it.

A token is 16 characters of Crockford base32 (80 random bits): long enough that guessing one
is hopeless, short enough to type from a printed card. Only its SHA-256 digest is stored.
Receipt marks are HMAC-SHA-256 under ``ACCORD_RECEIPT_KEY``, which lives in the server's
configuration and not in the database; so does the key that seals a team's answers until the
survey closes (``seal``), derived from it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
TOKEN_LENGTH = 16
# What people type for what they mean: O for zero, I and L for one.
_TYPING_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(text: str) -> str | None:
    """The canonical token for what someone typed or followed, or None when it cannot be one."""
    cleaned = "".join(text.split()).replace("-", "").upper().translate(_TYPING_FIXES)
    if len(cleaned) != TOKEN_LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def display_token(token: str) -> str:
    """Groups of four for printing: 7KQ2-M9XD-4HTR-B6WN."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(message: str) -> str:
    key = settings.ACCORD_RECEIPT_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def receipt_mark(cycle_id: int, invitation_id: int) -> str:
    return _mac(f"receipt:{cycle_id}:{invitation_id}")


def form_mark(cycle_id: int, nonce: str) -> str:
    return _mac(f"form:{cycle_id}:{nonce}")


def key_check(cycle_id: int) -> str:
    return _mac(f"key-check:{cycle_id}")


NONCE_BYTES = 12


def _sealing_key() -> AESGCM:
    key = hmac.new(settings.ACCORD_RECEIPT_KEY.encode(), b"sealed-team-answers", hashlib.sha256)
    return AESGCM(key.digest())


def seal(cycle_id: int, plain: bytes) -> bytes:
    """``plain`` encrypted and authenticated for ``cycle_id`` under a key the database never
    holds: a fresh random nonce, then the ciphertext (as long as ``plain``) and its tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + _sealing_key().encrypt(nonce, plain, f"cycle:{cycle_id}".encode())


def unseal(cycle_id: int, sealed: bytes) -> bytes:
    """What ``seal`` sealed; raises ``cryptography.exceptions.InvalidTag`` under another key."""
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    return _sealing_key().decrypt(nonce, body, f"cycle:{cycle_id}".encode())
