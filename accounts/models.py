"""Organisations (local authorities and schools), users and their roles.

Every row a user can see is decided by one method, ``visible_to(user)``, defined on the
QuerySets in ``core.scoping``. A user has exactly one role and the scope that role implies:
an LA, a school, or everywhere.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet


class Role(models.TextChoices):
    COUNCIL_OFFICER = "council_officer", _("Council officer")
    SCHOOL_STAFF = "school_staff", _("School staff")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    CIO = "cio", _("Chief information officer")
    LONDON_LEAD = "london_lead", _("London lead")
    NETWORK = "network", _("Mobile network")
    ADMIN = "admin", _("Administrator")


class LocalAuthorityQuerySet(ScopedQuerySet):
    scope_la_field = "pk"
    scope_school_field = "schools"
    # The London lead sees every LA's name and aggregates, never their rows.
    aggregate_visible_to_london = True


class LocalAuthority(models.Model):
    """A council: DfE's three-digit LA code (202 is Camden) and the ONS GSS code."""

    code = models.CharField(_("LA code"), max_length=3, unique=True)
    gss_code = models.CharField(_("GSS code"), max_length=9, blank=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    objects = LocalAuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("local authority")
        verbose_name_plural = _("local authorities")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:la_detail", args=[self.pk])


class SchoolQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "pk"

    def open(self):
        return self.filter(status=School.Status.OPEN)

    def closed_with_successor(self):
        """Closed schools whose GIAS successor is recorded, with it and both LAs loaded."""
        return self.filter(status=School.Status.CLOSED, successor__isnull=False).select_related("local_authority", "successor__local_authority")

    def with_holdings(self, user=None):
        """Annotate what each school still holds, in the one query: ``held_children``,
        ``held_allocations`` (planned or handed over), ``held_devices``, ``held_open_tickets``
        (with ``user``, only the tickets they may see: a safeguarding ticket hidden from them
        is not counted either)."""
        from django.apps import apps
        from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
        from django.db.models.functions import Coalesce

        def count(model, school_path, rows=None, **filters):
            rows = (model._base_manager.all() if rows is None else rows).filter(**{school_path: OuterRef("pk")}, **filters).order_by().values(school_path)
            return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))

        from allocations.models import ACTIVE_ALLOCATION_STATUSES
        from support.models import OPEN_STATUSES

        Ticket = apps.get_model("support", "Ticket")
        return self.annotate(
            held_children=count(apps.get_model("allocations", "Child"), "school"),
            held_allocations=count(apps.get_model("allocations", "Allocation"), "child__school", status__in=ACTIVE_ALLOCATION_STATUSES),
            held_devices=count(apps.get_model("devices", "Device"), "school"),
            held_open_tickets=count(Ticket, "school", rows=Ticket.objects.visible_to(user) if user is not None else None, status__in=OPEN_STATUSES),
        )


class School(models.Model):
    """An establishment from the GIAS register, keyed by its URN."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PROPOSED = "proposed", _("Proposed to open")

    urn = models.PositiveIntegerField(_("URN"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="schools", verbose_name=_("local authority")
    )
    phase = models.CharField(_("phase"), max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    open_date = models.DateField(_("open date"), null=True, blank=True)
    close_date = models.DateField(_("close date"), null=True, blank=True)
    #: the school GIAS names as this one's successor ("links" download, LinkType "Successor")
    successor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessors", verbose_name=_("successor")
    )
    history = HistoricalRecords()

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [models.Index(fields=["local_authority", "name"])]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:school_detail", args=[self.pk])


class UserQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A member of staff. Families never have accounts."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SCHOOL_STAFF)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("local authority"),
        help_text=_("Required for council officers and CIOs; empty for a support agent means all LAs."),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("school"),
        help_text=_("Required for school staff."),
    )
    network_operator = models.ForeignKey(
        "connectivity.NetworkOperator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("mobile network"),
        help_text=_("Required for network users: they see only requests for this network's SIMs and numbers."),
    )
    is_safeguarding_lead = models.BooleanField(
        _("designated safeguarding lead"),
        default=False,
        help_text=_("May read tickets raised as safeguarding concerns within their scope."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="school_staff_has_school",
                condition=~models.Q(role="school_staff") | models.Q(school__isnull=False),
            ),
            models.CheckConstraint(
                name="la_roles_have_la",
                condition=~models.Q(role__in=["council_officer", "cio"]) | models.Q(local_authority__isnull=False),
            ),
            models.CheckConstraint(
                name="network_users_have_network",
                condition=~models.Q(role="network") | models.Q(network_operator__isnull=False),
            ),
        ]

    def __str__(self):
        # People are shown by name wherever a user is chosen or shown (a list of "Assign to"
        # choices, the custody log, an import's author); the username only when they have none.
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # A school user's LA is always the school's LA: one source of truth for scope.
        if self.school_id and not self.local_authority_id:
            self.local_authority_id = School.objects.values_list("local_authority_id", flat=True).get(pk=self.school_id)
        super().save(*args, **kwargs)

    # Scope helpers used by core.scoping -----------------------------------------
    @property
    def sees_everything(self):
        return self.is_superuser or self.role == Role.ADMIN or (
            self.role == Role.SUPPORT_AGENT and not self.local_authority_id
        )

    @property
    def scope_label(self):
        if self.role == Role.NETWORK and self.network_operator_id:
            return str(self.network_operator.name)
        if self.role == Role.SCHOOL_STAFF and self.school_id:
            return str(self.school.name)
        if self.local_authority_id and self.role != Role.ADMIN:
            return str(self.local_authority.name)
        return str(_("All local authorities"))

    def has_role(self, *roles):
        return self.is_authenticated and (self.role in roles or self.is_superuser)


# --------------------------------------------------------------------------- single sign-on


class SsoProvider(models.TextChoices):
    """The organisations' identity providers we accept (``accounts/sso.py`` has one driver each)."""

    DFE = "dfe", _("DfE Sign-in")
    ENTRA = "entra", _("Microsoft Entra ID")


class ExternalIdentity(models.Model):
    """A user's identity at an identity provider: the provider's subject (``sub``), never the
    e-mail address, is what finds the user at the next sign-in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user"))
    provider = models.CharField(_("provider"), max_length=10, choices=SsoProvider.choices)
    subject = models.CharField(_("subject"), max_length=255)
    organisation = models.CharField(_("organisation at last sign-in"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("first signed in"), auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last signed in"), null=True, blank=True)

    # Which identity can sign in as whom: audited like the user it belongs to.
    history = HistoricalRecords(excluded_fields=["last_sign_in"])

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique_subject")]

    def __str__(self):
        return f"{self.get_provider_display()}: {self.subject}"


class OrganisationMappingQuerySet(models.QuerySet):
    def for_claims(self, *, provider, tenant, groups):
        """The mappings that the identity's tenant and groups select (active ones only)."""
        return self.filter(provider=provider, tenant_id=tenant, group_id__in=list(groups), is_active=True).select_related(
            "local_authority", "school"
        )


class OrganisationMapping(models.Model):
    """Maps an organisation's identity claim (an Entra ID tenant and one of its security groups)
    to one of our roles and an LA or school. Edited by administrators in the Django admin.

    Only roles with a single LA or school scope can be mapped: a claim never gives anyone every
    LA, the London view or administration."""

    MAPPABLE_ROLES = (Role.COUNCIL_OFFICER, Role.CIO, Role.SUPPORT_AGENT, Role.SCHOOL_STAFF)

    provider = models.CharField(_("provider"), max_length=10, choices=SsoProvider.choices, default=SsoProvider.ENTRA)
    tenant_id = models.CharField(_("tenant ID"), max_length=64, help_text=_("The directory (tenant) ID: the tid claim."))
    group_id = models.CharField(_("group object ID"), max_length=64, help_text=_("A security group's object ID, sent in the groups claim."))
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.label) for r in MAPPABLE_ROLES])
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+", verbose_name=_("local authority"))
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Required for school staff; it must be in the local authority."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationMappingQuerySet.as_manager()
    # A mapping grants a role and a scope to everyone in a group: who changed it and when is kept.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation mapping")
        verbose_name_plural = _("organisation mappings")
        constraints = [models.UniqueConstraint(fields=["provider", "tenant_id", "group_id"], name="organisation_mapping_unique_group")]

    def __str__(self):
        return f"{self.tenant_id} / {self.group_id} → {self.get_role_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.role == Role.SCHOOL_STAFF and not self.school_id:
            raise ValidationError({"school": _("Choose the school for school staff.")})
        if self.role != Role.SCHOOL_STAFF and self.school_id:
            raise ValidationError({"school": _("Only school staff are mapped to a school.")})
        if self.school_id and self.local_authority_id and self.school.local_authority_id != self.local_authority_id:
            raise ValidationError({"school": _("The school is not in this local authority.")})
