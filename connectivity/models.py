"""SIMs, mobile networks, data plans and usage readings: a child's connectivity.

These models moved here from ``devices`` (migration ``connectivity.0001``): their tables keep
their names (``devices_sim`` and so on), so the move wrote no row and the database triggers
that keep ``Device.plan_cover_end`` (``devices/cover.py``) are untouched.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet
from devices.models import Device
from devices.validators import validate_iccid, validate_msisdn


class NetworkOperator(models.Model):
    """A mobile network (EE, Vodafone, O2, Three...). Operators push usage through the API."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("short name"), max_length=30, unique=True)
    history = HistoricalRecords(table_name="devices_historicalnetworkoperator")

    class Meta:
        db_table = "devices_networkoperator"
        ordering = ["name"]
        verbose_name = _("network operator")
        verbose_name_plural = _("network operators")

    def __str__(self):
        return self.name


class SimQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "device__school"
    # --- network side: a network's own SIMs (shown on its requests; no SIM page admits it)
    scope_network_field = "network"


class Sim(models.Model):
    """A SIM card: in a 4G router, or (rarely) a laptop with a modem."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENSION_REQUESTED = "suspension_requested", _("Suspension requested")
        SUSPENDED = "suspended", _("Suspended")

    iccid = models.CharField(_("ICCID"), max_length=20, unique=True, validators=[validate_iccid])
    # E.164 (+447700900123), set through devices.validators.normalise_uk_mobile.
    msisdn = models.CharField(_("mobile number"), max_length=16, null=True, blank=True, unique=True, validators=[validate_msisdn])
    network = models.ForeignKey(NetworkOperator, on_delete=models.PROTECT, null=True, blank=True, related_name="sims", verbose_name=_("network"))
    device = models.OneToOneField(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="sim", verbose_name=_("device"))
    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.PROTECT, related_name="sims", verbose_name=_("local authority"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(table_name="devices_historicalsim")

    objects = SimQuerySet.as_manager()

    class Meta:
        db_table = "devices_sim"
        ordering = ["-pk"]
        verbose_name = _("SIM")
        verbose_name_plural = _("SIMs")
        # The allowance evidence finds an LA's SIMs from this index alone (reports.figures).
        indexes = [models.Index(fields=["local_authority", "id"], name="sim_la_id")]

    def __str__(self):
        return self.iccid

    def get_absolute_url(self):
        if self.device_id:
            return reverse("devices:device_detail", args=[self.device_id])
        return reverse("connectivity:sim_detail", args=[self.pk])


class DataPlanQuerySet(ScopedQuerySet):
    scope_la_field = "sim__local_authority"
    scope_school_field = "sim__device__school"

    def active_on(self, day):
        return self.filter(start__lte=day, end__gte=day)


class DataPlan(models.Model):
    """A monthly data allowance on a SIM for a period (the DfE offer: 3 GB a month, 6 months)."""

    sim = models.ForeignKey(Sim, on_delete=models.CASCADE, related_name="plans", verbose_name=_("SIM"))
    allowance_mb = models.PositiveIntegerField(_("monthly allowance (MB)"), default=3072)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    payer = models.CharField(_("paid by"), max_length=10, default="dfe")
    monthly_cost = models.DecimalField(_("monthly cost (£)"), max_digits=8, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords(table_name="devices_historicaldataplan")

    objects = DataPlanQuerySet.as_manager()

    class Meta:
        db_table = "devices_dataplan"
        ordering = ["-start"]
        verbose_name = _("data plan")
        verbose_name_plural = _("data plans")
        indexes = [models.Index(fields=["sim", "start", "end"])]
        constraints = [models.CheckConstraint(name="plan_end_after_start", condition=models.Q(end__gte=models.F("start")))]

    def __str__(self):
        return f"{self.allowance_mb} MB {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class UsageReadingQuerySet(ScopedQuerySet):
    scope_la_field = "sim__local_authority"
    scope_school_field = "sim__device__school"


class UsageReading(models.Model):
    """Data used by a SIM in one period: a month (period = first day) or a day.

    One reading per SIM, period and granularity: re-importing a file replaces, never adds.
    """

    class Granularity(models.TextChoices):
        MONTH = "month", _("Month")
        DAY = "day", _("Day")

    # No index of its own: ``one_reading_per_sim_period`` (sim, period, granularity) serves
    # lookups by SIM, and one index fewer to maintain speeds up usage imports.
    # No foreign-key constraint in the database: checking it costs one locking lookup of the SIM
    # per new reading at commit (7-8 s of a million-reading import). Readings are written only
    # by connectivity.usage._upsert, which locks the SIMs it writes for (FOR KEY SHARE) in one
    # statement and writes nothing if any has gone; deleting a SIM still deletes its readings
    # (on_delete=CASCADE is done by Django).
    sim = models.ForeignKey(
        Sim, on_delete=models.CASCADE, related_name="readings", verbose_name=_("SIM"), db_index=False, db_constraint=False
    )
    period = models.DateField(_("period"))
    granularity = models.CharField(_("granularity"), max_length=5, choices=Granularity.choices, default=Granularity.MONTH)
    mb_used = models.FloatField(_("data used (MB)"))
    source = models.CharField(_("source"), max_length=60, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    objects = UsageReadingQuerySet.as_manager()

    class Meta:
        db_table = "devices_usagereading"
        ordering = ["-period"]
        verbose_name = _("usage reading")
        verbose_name_plural = _("usage readings")
        constraints = [
            # On PostgreSQL its index also carries ``mb_used`` (INCLUDE, migration 0009: SQLite
            # has no such index, and ignores a constraint declared with ``include``) so that the
            # allowance evidence reads an LA's readings from the index alone (reports.figures).
            models.UniqueConstraint(fields=["sim", "period", "granularity"], name="one_reading_per_sim_period"),
            models.CheckConstraint(name="usage_not_negative", condition=models.Q(mb_used__gte=0)),
        ]
        indexes = [models.Index(fields=["period", "granularity"])]




class NetworkRequestQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"
    scope_network_field = "network"

    def open(self):
        return self.filter(status__in=NetworkRequest.OPEN_STATUSES)


class NetworkRequest(models.Model):
    """Something asked of a mobile network about one SIM or one phone number, as a lifecycle.

    ``status`` changes only through ``connectivity.services.move_request`` (the allowed moves,
    and who may make each, are ``connectivity.services.MOVES``); every change writes a
    ``NetworkRequestEvent``. At most one open request of a kind per SIM, and per number for
    extra data on a family's own phone (database constraints). A request names its SIM or a
    number, unless its personal details were removed (``redacted_at``, when the child's record
    is anonymised), which only a done or cancelled request can be.
    """

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("Suspend a lost or stolen SIM")
        REACTIVATE = "reactivate", _("Reactivate a SIM")
        EXTEND = "extend", _("Extend a data plan")
        INCREASE = "increase", _("Increase the data allowance")
        SWAP = "swap", _("Swap a SIM")
        FAMILY_DATA = "family_data", _("Extra data on the family's own phone")

    class Status(models.TextChoices):
        TO_CONFIRM = "to_confirm", _("Waiting for the council to confirm")
        REQUESTED = "requested", _("Requested")
        SENT = "sent", _("Sent to the network")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        PROBLEM = "problem", _("Problem")
        CANCELLED = "cancelled", _("Cancelled")

    class Problem(models.TextChoices):
        """The networks' problem codes (as in the DfE scheme's extra-data service)."""

        UNKNOWN_NUMBER = "unknown_number", _("The number is not recognised")
        NOT_ON_NETWORK = "not_on_network", _("The number or SIM is not on this network")
        ACCOUNT_HOLDER = "account_holder", _("The account holder's name does not match")
        CONTRACT_NOT_ELIGIBLE = "contract_not_eligible", _("This contract cannot take extra data")
        ALREADY_ACTIVE = "already_active", _("Already done on this account")
        SIM_NOT_FOUND = "sim_not_found", _("The SIM was not found")
        OTHER = "other", _("Another problem (see the note)")

    class PhonePlan(models.TextChoices):
        PAYG = "payg", _("Pay as you go")
        CONTRACT = "contract", _("Contract")

    OPEN_STATUSES = ("to_confirm", "requested", "sent", "in_progress", "problem")
    #: Problems a family can put right themselves (they are texted about these).
    FAMILY_PROBLEMS = ("unknown_number", "account_holder", "contract_not_eligible")

    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    problem = models.CharField(_("problem"), max_length=24, choices=Problem.choices, blank=True)
    network = models.ForeignKey(NetworkOperator, on_delete=models.PROTECT, related_name="requests", verbose_name=_("network"))
    sim = models.ForeignKey(Sim, on_delete=models.PROTECT, null=True, blank=True, related_name="requests", verbose_name=_("SIM"))
    # E.164, through devices.validators.normalise_uk_mobile: the SIM's number, or the family's phone.
    msisdn = models.CharField(_("mobile number"), max_length=16, blank=True, validators=[validate_msisdn])
    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.PROTECT, related_name="network_requests", verbose_name=_("local authority"))
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="network_requests", verbose_name=_("school"))
    child = models.ForeignKey("allocations.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="network_requests", verbose_name=_("child"))
    # Extra data on a family's own phone only:
    account_holder = models.CharField(_("account holder's name"), max_length=120, blank=True)
    phone_plan = models.CharField(_("pay as you go or contract"), max_length=10, choices=PhonePlan.choices, blank=True)
    consent_given = models.BooleanField(_("the family agreed to share the number with the network"), default=False)
    reason = models.TextField(_("why"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("asked by"))
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    #: When the status last changed (what "overdue" counts from).
    changed_at = models.DateTimeField(_("last change"), db_index=True)
    #: Set when the child's record was anonymised: the number, account holder and reason were
    #: blanked (``services.anonymise_requests``). Only a closed request can be redacted.
    redacted_at = models.DateTimeField(_("personal details removed"), null=True, blank=True)

    objects = NetworkRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("network request")
        verbose_name_plural = _("network requests")
        indexes = [
            models.Index(fields=["local_authority", "status"]),
            models.Index(fields=["network", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "sim"], name="one_open_request_per_sim_and_kind",
                condition=models.Q(status__in=("to_confirm", "requested", "sent", "in_progress", "problem"), sim__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind", "msisdn"], name="one_open_family_data_request_per_number",
                condition=models.Q(kind="family_data", status__in=("to_confirm", "requested", "sent", "in_progress", "problem")),
            ),
            models.CheckConstraint(
                name="request_names_a_sim_or_number",
                condition=models.Q(sim__isnull=False) | ~models.Q(msisdn="") | models.Q(redacted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="redacted_request_is_closed",
                condition=models.Q(redacted_at__isnull=True) | models.Q(status__in=("done", "cancelled")),
            ),
            models.CheckConstraint(name="problem_only_with_problem_status", condition=models.Q(status="problem") | models.Q(problem="")),
        ]

    def __str__(self):
        return f"NR-{self.pk:06d}" if self.pk else "NR-new"

    @property
    def reference(self):
        return str(self)

    def get_absolute_url(self):
        return reverse("connectivity:request_detail", args=[self.pk])


class NetworkRequestEventQuerySet(ScopedQuerySet):
    scope_la_field = "request__local_authority"
    scope_school_field = "request__school"
    scope_network_field = "request__network"


class NetworkRequestEvent(models.Model):
    """One change of a network request: raised, a status move, a note. Never edited."""

    request = models.ForeignKey(NetworkRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request"))
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    problem = models.CharField(_("problem"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    #: Set when the change came from the network (a network user or an operator API token).
    by_network = models.BooleanField(_("by the network"), default=False)
    at = models.DateTimeField(_("when"))

    objects = NetworkRequestEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("network request change")
        verbose_name_plural = _("network request changes")
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self):
        return f"{self.request} {self.to_status or self.note[:40]}"


# --- connection plans (issue 16: a plan for every child's connection)


class DataVoucherQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "given_to__school"

    def in_stock(self, today=None):
        """Vouchers not given out yet and not expired (on ``today``, when given)."""
        qs = self.filter(given_to__isnull=True)
        if today is not None:
            qs = qs.filter(models.Q(expires__isnull=True) | models.Q(expires__gte=today))
        return qs


class DataVoucher(models.Model):
    """One data bank voucher or SIM in a council's stock (e.g. from the National Databank).

    Imported from the provider's spreadsheet (``connectivity.plan_imports``); given out only by
    ``connectivity.plans.give_voucher``, one per child and never twice (the code is unique, and
    a child holds at most one voucher: database constraints; the service locks the row).
    """

    class Kind(models.TextChoices):
        VOUCHER = "voucher", _("Voucher code")
        SIM = "sim", _("SIM card")

    code = models.CharField(_("voucher code"), max_length=40, unique=True)
    provider = models.CharField(_("provider"), max_length=80, default="National Databank")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.VOUCHER)
    data_mb = models.PositiveIntegerField(_("data (MB)"), null=True, blank=True)
    expires = models.DateField(_("expires"), null=True, blank=True)
    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.PROTECT, related_name="data_vouchers", verbose_name=_("local authority"))
    given_to = models.ForeignKey("allocations.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="data_vouchers", verbose_name=_("given to"))
    given_at = models.DateTimeField(_("given on"), null=True, blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("given by"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = DataVoucherQuerySet.as_manager()

    class Meta:
        ordering = ["expires", "code"]
        verbose_name = _("data voucher")
        verbose_name_plural = _("data vouchers")
        indexes = [models.Index(fields=["local_authority", "given_to"])]
        constraints = [
            models.UniqueConstraint(fields=["given_to"], name="one_voucher_per_child", condition=models.Q(given_to__isnull=False)),
            models.CheckConstraint(
                name="voucher_given_with_date",
                condition=models.Q(given_to__isnull=True, given_at__isnull=True) | models.Q(given_to__isnull=False, given_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("connectivity:voucher_give", args=[self.pk])


class ConnectionPlanQuerySet(ScopedQuerySet):
    scope_la_field = "child__local_authority"
    scope_school_field = "child__school"

    def current(self):
        return self.filter(is_current=True)


class ConnectionPlan(models.Model):
    """Where a child's data comes from when their current data plan ends.

    One row per choice; the child's current choice has ``is_current`` (at most one per child:
    a database constraint); earlier choices are kept as the plan's history. Written only by
    ``connectivity.plans.choose_plan`` and ``give_voucher``.
    """

    class Kind(models.TextChoices):
        COUNCIL_PLAN = "council_plan", _("A follow-on council data plan")
        SOCIAL_TARIFF = "social_tariff", _("A social tariff referral")
        DATA_BANK = "data_bank", _("A data bank voucher or SIM")
        FAMILY_DATA = "family_data", _("Extra data on the family's own phone")
        NONE = "none", _("No plan yet")

    class Outcome(models.TextChoices):
        REFERRED = "referred", _("Referred, waiting for an answer")
        ACCEPTED = "accepted", _("Accepted: the family is on the tariff")
        DECLINED = "declined", _("Declined or not eligible")

    #: Kinds that count as a plan in the figures (everything but "no plan yet").
    PLAN_KINDS = ("council_plan", "social_tariff", "data_bank", "family_data")

    child = models.ForeignKey("allocations.Child", on_delete=models.CASCADE, related_name="connection_plans", verbose_name=_("child"))
    kind = models.CharField(_("where the data comes from"), max_length=16, choices=Kind.choices)
    provider = models.CharField(_("provider"), max_length=80, blank=True)
    outcome = models.CharField(_("outcome of the referral"), max_length=10, choices=Outcome.choices, blank=True)
    starts = models.DateField(_("starts"), null=True, blank=True)
    ends = models.DateField(_("cover until"), null=True, blank=True)
    monthly_cost = models.DecimalField(_("monthly cost (£)"), max_digits=8, decimal_places=2, null=True, blank=True)
    voucher = models.ForeignKey(DataVoucher, on_delete=models.PROTECT, null=True, blank=True, related_name="plans", verbose_name=_("data voucher"))
    network_request = models.ForeignKey(NetworkRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="connection_plans", verbose_name=_("network request"))
    notes = models.TextField(_("notes"), blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("chosen by"))
    chosen_at = models.DateTimeField(_("chosen on"))
    replaced_at = models.DateTimeField(_("replaced on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ConnectionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-chosen_at", "-pk"]
        verbose_name = _("connection plan")
        verbose_name_plural = _("connection plans")
        constraints = [
            models.UniqueConstraint(fields=["child"], name="one_current_connection_plan_per_child", condition=models.Q(is_current=True)),
            models.CheckConstraint(name="connection_plan_ends_after_start", condition=models.Q(starts__isnull=True) | models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts"))),
            models.CheckConstraint(name="connection_plan_voucher_is_data_bank", condition=models.Q(voucher__isnull=True) | models.Q(kind="data_bank")),
        ]
        indexes = [models.Index(fields=["child", "is_current"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.child}"

    def get_absolute_url(self):
        return reverse("allocations:child_detail", args=[self.child_id]) + "#connection-plan"



# --- idle SIMs and check-ins (connectivity/idle.py, connectivity/checkins.py)


class CheckInQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"

    def unanswered(self):
        return self.filter(answered_at__isnull=True)

    def to_follow_up(self, today):
        """Unanswered check-ins whose follow-up date has come: the school's follow-up list."""
        return self.unanswered().filter(follow_up_at__lte=today)


class CheckIn(models.Model):
    """One "do you still have the device?" message to a family about an idle SIM, and its answer.

    At most one per SIM and month (``period``, a first of the month): the daily check may run
    any number of times. Written only by ``connectivity.checkins``. The link's token is never
    stored: ``token_hash`` is its SHA-256, so the table cannot be used to answer for a family.
    A check-in is answered once (``answered_at``); a second use of the link records nothing.
    """

    class Reason(models.TextChoices):
        IDLE = "idle", _("No data used")
        STOPPED = "stopped", _("Data use stopped suddenly")

    class Answer(models.TextChoices):
        WORKS = "works", _("Yes, it works")
        NOT_WORKING = "not_working", _("It is not working")
        NOT_NEEDED = "not_needed", _("We no longer need it")

    class AnsweredBy(models.TextChoices):
        WEB = "web", _("Web page")
        SMS = "sms", _("Text reply")

    sim = models.ForeignKey(Sim, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("SIM"))
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("device"))
    allocation = models.ForeignKey("allocations.Allocation", on_delete=models.CASCADE, related_name="checkins", verbose_name=_("allocation"))
    child = models.ForeignKey("allocations.Child", on_delete=models.CASCADE, related_name="checkins", verbose_name=_("child"))
    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.PROTECT, related_name="checkins", verbose_name=_("local authority"))
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="checkins", verbose_name=_("school"))
    period = models.DateField(_("month"))
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices, default=Reason.IDLE)
    language = models.CharField(_("language"), max_length=8, default="en")
    message = models.ForeignKey("messaging.OutboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("message"))
    #: The phone the text went to (E.164), so a reply from it finds this check-in.
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=4, choices=AnsweredBy.choices, blank=True)
    follow_up_at = models.DateField(_("follow up from"))
    ticket = models.ForeignKey("support.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ticket"))

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["local_authority", "answered_at", "follow_up_at"], name="checkin_la_follow_up")]
        constraints = [
            models.UniqueConstraint(fields=["sim", "period"], name="one_checkin_per_sim_period"),
            models.CheckConstraint(
                name="checkin_answer_with_time",
                condition=(models.Q(answer="", answered_at__isnull=True, answered_by="") | (~models.Q(answer="") & models.Q(answered_at__isnull=False) & ~models.Q(answered_by=""))),
            ),
        ]

    def __str__(self):
        return f"CI-{self.pk:06d}" if self.pk else "CI-new"

    @property
    def reference(self):
        return str(self)
