"""Writes owned by reports: need estimates and API tokens."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from reports.models import ApiToken, NeedEstimate, hash_token


@transaction.atomic
def record_need_estimate(*, school, kind, count, estimated_on, note="", by):
    """Record a school's estimate of unnamed need. The caller must be able to see ``school``.

    Guarantees a validated row; the newest estimate per school and kind is the one counted.
    """
    from accounts.models import School

    if not School.objects.visible_to(by).filter(pk=school.pk).exists():
        raise PermissionDenied
    estimate = NeedEstimate(school=school, kind=kind, count=count, estimated_on=estimated_on, note=note, created_by=by)
    estimate.full_clean()
    estimate.save()
    return estimate


@transaction.atomic
def update_need_estimate(*, estimate, kind, count, estimated_on, note="", by):
    """Correct an estimate (same school). The caller must be able to see it."""
    if not NeedEstimate.objects.visible_to(by).filter(pk=estimate.pk).exists():
        raise PermissionDenied
    estimate.kind, estimate.count, estimate.estimated_on, estimate.note = kind, count, estimated_on, note
    estimate.full_clean()
    estimate.save()
    return estimate


@transaction.atomic
def delete_need_estimate(*, estimate, by):
    if not NeedEstimate.objects.visible_to(by).filter(pk=estimate.pk).exists():
        raise PermissionDenied
    estimate.delete()


@transaction.atomic
def create_api_token(*, name, kind, by, supplier_name="", network_operator=None, local_authority=None):
    """Create a token and return ``(token, raw)``. ``raw`` is shown once and never stored.

    Officers may only create supplier tokens limited to their own LA; admins may create any.
    """
    is_admin = by.is_superuser or by.role == "admin"
    if not is_admin:
        if by.role != "council_officer" or kind != ApiToken.Kind.SUPPLIER:
            raise PermissionDenied
        local_authority = by.local_authority
    raw = ApiToken.generate()
    token = ApiToken(
        name=name,
        kind=kind,
        supplier_name=supplier_name if kind == ApiToken.Kind.SUPPLIER else "",
        network_operator=network_operator if kind == ApiToken.Kind.OPERATOR else None,
        local_authority=local_authority,
        prefix=raw[: ApiToken.PREFIX_LENGTH],
        token_hash=hash_token(raw),
        created_by=by,
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def revoke_api_token(*, token, by):
    """Revoke a token at once; idempotent. The caller must be able to see it."""
    token = ApiToken.objects.visible_to(by).select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(raw):
    """The active token matching ``raw``, or ``None``. Marks it used (at most once a minute)."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("network_operator", "local_authority").filter(
        token_hash=hash_token(raw), revoked_at__isnull=True
    ).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
