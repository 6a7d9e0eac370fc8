"""Passwords (argon2), API tokens (random, stored as SHA-256), CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

TOKEN_PREFIX = "acc_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random password, made with the same parameters as real ones (S3)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password. Without a hash (an unknown e-mail, a user without a password) a
    dummy hash is verified instead, so every answer costs one argon2 verification and
    the time taken does not tell which e-mail addresses exist (S3)."""
    try:
        if not password_hash:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    """Tokens carry 256 bits of entropy, so a fast hash is safe and allows a unique lookup."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(session_id: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(session_id: str, secret: str, candidate: str | None) -> bool:
    if not candidate:
        return False
    return hmac.compare_digest(csrf_token_for(session_id, secret), candidate)
