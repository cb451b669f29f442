"""Password hashing: Argon2id at the configuration OWASP recommends.

OWASP's Password Storage Cheat Sheet puts Argon2id first, with a minimum of 19 MiB of memory,
2 iterations and 1 degree of parallelism; PBKDF2-HMAC-SHA256 (Django's default, here at
1,000,000 iterations) is its choice only where FIPS-140 compliance is required. Argon2id is
memory-hard, so each guess costs an attacker memory as well as time, which is what makes GPU
and ASIC cracking expensive; PBKDF2 costs only time, and the same time for the attacker's
hardware as for ours. Checking a password costs about 20 ms of CPU here instead of about
230 ms (docs/performance.md), so a morning's sign-ins do not queue everyone else's pages.

Existing PBKDF2 hashes still verify and are re-hashed with Argon2id at the next sign-in
(``PASSWORD_HASHERS`` in settings lists them after this one); so are Argon2 hashes made with
other parameters.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (Argon2id) with OWASP's parameters: 19 MiB, t=2, p=1."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
