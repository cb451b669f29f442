"""Two-step sign-in: who needs it, setting it up, checking codes, recovery codes, resetting it.

Built on django-otp. A user has at most one confirmed authenticator-app device (``TOTPDevice``)
and one recovery-code device (``StaticDevice`` holding single-use codes). Both throttle wrong
codes (django-otp's exponential back-off); on top of that, ``TWO_FACTOR_MAX_ATTEMPTS`` wrong codes
in a row lock two-step sign-in for ``TWO_FACTOR_LOCKOUT_SECONDS``.
"""

import logging
import re
import secrets
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta

import segno
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role

logger = logging.getLogger("accounts.two_factor")

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
#: Roles that must use two-step sign-in when ``TWO_FACTOR_REQUIRED`` is on. School staff may
#: turn it on for themselves.
REQUIRED_ROLES = frozenset(r.value for r in Role if r != Role.SCHOOL_STAFF)
TOTP_RE = re.compile(r"^\d{6}$")


def has_two_factor(user):
    """True when the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required_by_role(user):
    """True when the user's role makes two-step sign-in mandatory (and the setting is on)."""
    return bool(settings.TWO_FACTOR_REQUIRED) and (user.is_superuser or user.role in REQUIRED_ROLES)


def needs_verification(user):
    """A signed-in user must enter a code this session: required by role, or turned on.

    ``TWO_FACTOR_REQUIRED = False`` (the laptop demo, most tests) turns every check off."""
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return is_required_by_role(user) or has_two_factor(user)


def format_secret(device):
    """The TOTP secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(unhexlify(device.key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device):
    """The device's otpauth:// address as an inline SVG QR code (no scripts or styles)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, light="#fff", dark="#000")
    label = _("QR code for your authenticator app")
    return mark_safe(svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', label), 1))  # noqa: S308


@transaction.atomic
def start_setup(*, user):
    """The user's unconfirmed authenticator device, created if needed (one at a time).

    Guarantees no second confirmed device: callers only offer set-up to users without one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=APP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def confirm_setup(*, user, device, token):
    """Confirm the authenticator device with a code from the app and issue recovery codes.

    Returns the new recovery codes (shown to the user once), or None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token((token or "").strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("two-step sign-in turned on for user %s", user.pk)
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user):
    """Replace the user's recovery codes with ``TWO_FACTOR_RECOVERY_CODES`` new single-use codes."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = []
    for _i in range(settings.TWO_FACTOR_RECOVERY_CODES):
        code = b32encode(secrets.token_bytes(10)).decode().lower()  # 16 characters, 80 random bits
        codes.append(code)
        device.token_set.create(token=code)
    device.throttle_reset()
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def locked_until(user):
    """When two-step sign-in stays locked until, or None: set after too many wrong codes."""
    limit = settings.TWO_FACTOR_MAX_ATTEMPTS
    latest = None
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True, throttling_failure_count__gte=limit):
            if device.throttling_failure_timestamp is None:
                continue
            until = device.throttling_failure_timestamp + timedelta(seconds=settings.TWO_FACTOR_LOCKOUT_SECONDS)
            if until > timezone.now() and (latest is None or until > latest):
                latest = until
    return latest


class VerifyResult:
    """What happened to a code: ``device`` on success, else ``wait_until`` or ``locked``."""

    def __init__(self, device=None, wait_until=None, locked=False):
        self.device, self.wait_until, self.locked = device, wait_until, locked


@transaction.atomic
def verify_code(*, user, token):
    """Check a six-digit app code or a recovery code (a recovery code is used up).

    Wrong codes count against the device (django-otp throttling); after
    ``TWO_FACTOR_MAX_ATTEMPTS`` in a row the result is ``locked``."""
    token = re.sub(r"[\s-]", "", token or "")
    if TOTP_RE.match(token):
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    else:
        token = token.lower()
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    if locked_until(user):
        return VerifyResult(locked=True)
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return VerifyResult(wait_until=info.get("locked_until"))
        if device.verify_token(token):
            return VerifyResult(device=device)
    if locked_until(user):
        logger.warning("two-step sign-in locked for user %s after too many wrong codes", user.pk)
        return VerifyResult(locked=True)
    return VerifyResult()


@transaction.atomic
def turn_off(*, user):
    """Remove the user's own two-step sign-in (only offered where their role allows it)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    logger.info("two-step sign-in turned off by user %s", user.pk)


@transaction.atomic
def reset(*, user, by):
    """An administrator removes a user's authenticator and recovery codes (lost phone).

    The user sets two-step sign-in up again at their next sign-in. Recorded in the admin log
    (``LogEntry``), shown in the user's history in the Django admin."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(user),
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        action_flag=CHANGE,
        change_message="Reset two-step sign-in",
    )
    logger.warning("two-step sign-in reset for user %s by %s", user.pk, by.pk)
    return removed
