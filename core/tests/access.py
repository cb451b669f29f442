"""The route walker: requests every URL pattern of the project as a given user and reports
every response that is a server error or shows a row outside that user's scope.

How it works (see docs/architecture.md, "The access walker"):

1. ``routes()`` enumerates every pattern through ``django.urls.get_resolver``, recursing into
   includes, so a route added by any app is walked without editing this module.
2. ``World`` holds the data (``manage.py seed_demo`` plus factory top-ups) and, for every model
   whose QuerySet is a ``ScopedQuerySet``, each row's LAs and schools read through the
   QuerySet's ``scope_la_field`` / ``scope_school_field`` paths. Whether a row is in a user's
   scope is decided here from those values, independently of ``visible_to``.
3. URL kwargs are filled from the view: ``pk`` (or the view's ``pk_url_kwarg`` /
   ``slug_url_kwarg`` / DRF ``lookup_url_kwarg``) with rows of the view's ``model`` (or
   ``queryset.model``), a kwarg named like a field of that model with that field's value, and
   ``<model>_pk`` / ``<model>_id`` with rows of that model. Each object route is requested with a
   row inside the user's scope and with rows outside it (another LA; for school staff also
   another school in the same LA).
4. Checks: no 500 (or exception) anywhere; an out-of-scope row's own URL must not answer 200
   unless the page shows no trace of it; and no 200 page, CSV export or API response may contain
   the link (``get_absolute_url``) or a distinctive value (unique fields, a unique ``str()``) of
   any out-of-scope row. List pages are requested with ``per_page=200`` and ``_export=csv``.
"""

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from core.scoping import ScopedQuerySet

#: Patterns not walked at all, with the reason and where they are tested instead.
SKIPPED = {
    "admin:*": "Django admin: staff-only, tested in core/tests/test_audit.py and test_access.py::test_admin_is_staff_only",
    "password_reset_confirm": "needs a one-time token from an email: tested in core/tests/test_auth.py",
}
#: Patterns whose kwargs cannot all be filled; they are still requested, with placeholder values
#: for the kwargs that cannot be filled (the response must not be a 500 or leak).
PLACEHOLDERS_EXPECTED = {
    "support:family_ticket": "family link: the token is an HMAC sent to the family, not a stored field",
    "support:family_attachment": "family link: the token is an HMAC sent to the family, not a stored field",
    # --- idle SIMs and check-ins
    "connectivity:checkin_answer": "family link: the token is sent only in the check-in message; its hash is stored (connectivity/tests/test_checkins.py)",
}
#: Kwargs that do not identify a row, and a value to use for them.
GENERIC_VALUES = {"format": "json", "lang": "pl", "language": "pl", "year": "2026", "month": "1", "day": "15"}
#: Short names used in URL kwargs for models (``la_pk``).
MODEL_ALIASES = {"la": "localauthority", "batch": "deliverybatch"}
#: Models whose names legitimately appear on other scopes' pages (the agent who answered a
#: ticket, the officer who recorded a handover); their rows are still checked by URL.
NAME_VISIBLE_MODELS = {"accounts.user"}
MIN_VALUE_LENGTH = 6
VALUES_PER_MODEL = 3
HREF_RE = re.compile(r"""href=["']([^"'#?]+)""")


@dataclass
class Route:
    route: str
    name: str
    callback: object
    kwarg_names: list
    converters: dict
    namespaces: tuple = ()

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)


def routes(urlconf=None):
    """Every URL pattern of ``urlconf`` (the project's by default), includes flattened."""

    def walk(patterns, prefix, namespaces, names, converters):
        for p in patterns:
            conv = {**converters, **getattr(p.pattern, "converters", {})}
            here = names + [n for n in p.pattern.regex.groupindex if n not in names]
            if isinstance(p, URLResolver):
                ns = namespaces + ((p.namespace,) if p.namespace else ())
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns, here, conv)
            elif isinstance(p, URLPattern):
                name = ":".join(namespaces + (p.name,)) if p.name else ""
                yield Route(prefix + str(p.pattern), name, p.callback, here, conv, namespaces)

    return list(walk(get_resolver(urlconf).url_patterns, "", (), [], {}))


def skip_reason(route):
    for key, reason in SKIPPED.items():
        if key == route.name or (key.endswith(":*") and key[:-2] in route.namespaces):
            return reason
    return None


@dataclass(frozen=True)
class ScopePaths:
    la: str = None
    school: str = None
    aggregate_visible_to_london: bool = False
    #: Public content (``public_rows = True`` on the QuerySet, e.g. guides): every row is in
    #: everyone's scope; role checks still apply and every page is still checked for others' rows.
    public: bool = False
    #: ORM path to the row's NetworkOperator (``scope_network_field``): a network user's scope.
    network: str = None


def scope_paths(model):
    """How a model's rows belong to an LA and a school, or None if it is not scoped.

    A ``ScopedQuerySet`` names its paths. A QuerySet with its own ``visible_to`` and one foreign
    key to a scoped model (an attachment's ticket) inherits that model's paths through the key.
    """
    qs_class = getattr(getattr(model, "objects", None), "_queryset_class", None)
    if qs_class is None:
        return None
    if issubclass(qs_class, ScopedQuerySet):
        return ScopePaths(
            qs_class.scope_la_field, qs_class.scope_school_field, qs_class.aggregate_visible_to_london,
            getattr(qs_class, "public_rows", False), getattr(qs_class, "scope_network_field", None),
        )
    if not hasattr(qs_class, "visible_to"):
        return None
    parents = [
        f for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not model and scope_paths(f.related_model) is not None
    ]
    if len(parents) != 1:
        return None
    fk, parent = parents[0], scope_paths(parents[0].related_model)

    def prefix(path):
        return None if not path else fk.name if path == "pk" else f"{fk.name}__{path}"

    return ScopePaths(prefix(parent.la), prefix(parent.school), parent.aggregate_visible_to_london, network=prefix(parent.network))


def scoped_models():
    return [m for m in apps.get_models() if scope_paths(m) is not None]


def label(model):
    return model._meta.label_lower


@dataclass
class Scope:
    """Where a row belongs: the LA and school ids reached by the QuerySet's scope paths."""

    las: set = field(default_factory=set)
    schools: set = field(default_factory=set)
    networks: set = field(default_factory=set)


class World:
    """All scoped rows, where each belongs, and how each can be recognised on a page."""

    def __init__(self):
        self.models = scoped_models()
        self.by_label = {label(m): m for m in self.models}
        self.objects = {}  # label -> {pk: obj}
        self.scopes = {}  # label -> {pk: Scope}
        self.urls = {}  # label -> {pk: url}
        self.candidates = {}  # label -> {pk: [values]}
        for model in self.models:
            key = label(model)
            paths = scope_paths(model)
            objs = {o.pk: o for o in model._default_manager.all()}
            scopes = defaultdict(Scope)
            for path, attr in ((paths.la, "las"), (paths.school, "schools"), (paths.network, "networks")):
                if not path:
                    continue
                for pk, value in model._default_manager.values_list("pk", path):
                    if value is not None:
                        getattr(scopes[pk], attr).add(value)
            self.objects[key] = objs
            self.scopes[key] = {pk: scopes[pk] for pk in objs}
            self.urls[key] = {pk: _url(o) for pk, o in objs.items()}
            self.candidates[key] = {pk: _candidates(o) for pk, o in objs.items()}

    # Scope, decided from the data -------------------------------------------------------
    def in_scope(self, user, key, pk):
        model = self.by_label[key]
        if scope_paths(model).public:
            return True
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser or user.role == "admin":
            return True
        if user.role == "london_lead":
            return scope_paths(model).aggregate_visible_to_london
        scope = self.scopes[key][pk]
        if user.role == "network":  # a mobile network: its own network's rows of models that name one
            return bool(scope_paths(model).network) and user.network_operator_id in scope.networks
        if user.role == "support_agent" and not user.local_authority_id:
            return True
        if user.role == "school_staff":
            return user.school_id in scope.schools
        return user.local_authority_id in scope.las

    def split(self, user, key):
        inside, outside = [], []
        for pk in self.objects[key]:
            (inside if self.in_scope(user, key, pk) else outside).append(pk)
        return inside, outside

    def out_of_scope_samples(self, user, key):
        """Rows to put in a URL: another LA's, and for school staff another school's in the LA."""
        _, outside = self.split(user, key)
        if not outside:
            return []
        picks = []
        la_id = getattr(user, "local_authority_id", None)
        if user is not None and user.is_authenticated and user.role == "network":
            # Another network's row first (the real test), then any other row outside.
            other_network = [pk for pk in outside if self.scopes[key][pk].networks]
            picks += other_network[:1]
            return picks + [pk for pk in outside if pk not in picks][:1]
        if user is not None and user.is_authenticated and user.role == "school_staff":
            same_la = [pk for pk in outside if la_id in self.scopes[key][pk].las]
            picks += same_la[:1]
        other = [pk for pk in outside if la_id not in self.scopes[key][pk].las]
        picks += other[:1] or [pk for pk in outside if pk not in picks][:1]
        return picks

    def traces(self, user):
        """(urls, values) of rows ``user`` must never see: links and distinctive text."""
        urls, values = {}, {}
        inside_urls, inside_text = set(), []
        outside_by_model = {}
        for key in self.objects:
            inside, outside = self.split(user, key)
            outside_by_model[key] = outside
            for pk in inside:
                if self.urls[key][pk]:
                    inside_urls.add(self.urls[key][pk])
                inside_text.extend(self.candidates[key][pk])
                inside_text.extend(_field_texts(self.objects[key][pk]))
        inside_blob = "\x00".join(inside_text)
        for key, outside in outside_by_model.items():
            for pk in outside:
                url = self.urls[key][pk]
                if url and url not in inside_urls:
                    urls[url] = (key, pk)
            if key in NAME_VISIBLE_MODELS:
                continue
            for pk in _spread(outside, VALUES_PER_MODEL):
                for value in self.distinctive(key, pk, inside_blob):
                    values[value] = (key, pk)
        return urls, values

    def distinctive(self, key, pk, inside_blob):
        others = [v for other, vs in self.candidates[key].items() if other != pk for v in vs]
        result = []
        for value in self.candidates[key][pk]:
            if len(value) < MIN_VALUE_LENGTH or value in inside_blob:
                continue
            if any(value in other for other in others):
                continue
            result.append(value)
        return result

    def object_traces(self, key, pk):
        url = self.urls[key][pk]
        values = self.distinctive(key, pk, "") if key not in NAME_VISIBLE_MODELS else []
        return ([url] if url else []), values

    def describe(self, key, pk):
        obj = self.objects[key][pk]
        return f"{key} #{pk} ({obj})"


def _url(obj):
    try:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
    except Exception:  # a model whose URL name is not routed (yet) has no link to leak
        return None


def _candidates(obj):
    values = []
    text = str(obj)
    if text and not text.startswith(f"{obj.__class__.__name__} object"):
        values.append(text)
    for f in obj._meta.concrete_fields:
        if f.unique and not f.primary_key and not isinstance(f, (models.ForeignKey, models.BooleanField)):
            value = getattr(obj, f.attname)
            if value not in (None, ""):
                values.append(str(value))
    return values


def _field_texts(obj):
    """Every non-empty text or number a row holds (so a value shared with an in-scope row is
    never taken as proof that an out-of-scope row is shown)."""
    values = []
    for f in obj._meta.concrete_fields:
        if f.is_relation or f.primary_key:
            continue
        value = getattr(obj, f.attname)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            values.append(str(value))
        elif value is not None and f.get_internal_type() not in ("DateField", "DateTimeField", "JSONField", "FileField"):
            values.append(str(value))
    return values


def _spread(items, n):
    if len(items) <= n:
        return list(items)
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


# Filling URL kwargs ----------------------------------------------------------------------
def view_model(route):
    cls = route.view_class
    model = getattr(cls, "model", None)
    if model is None:
        model = getattr(getattr(cls, "queryset", None), "model", None)
    if model is None:
        meta = getattr(getattr(cls, "serializer_class", None), "Meta", None)
        model = getattr(meta, "model", None)
    return model


def kwarg_binding(route, name, world):
    """(model label, attribute) for a kwarg that identifies a row, or None."""
    cls = route.view_class
    model = view_model(route)
    if model is not None and label(model) in world.objects:
        pk_names = {"pk", getattr(cls, "pk_url_kwarg", "pk"), getattr(cls, "lookup_url_kwarg", None) or "pk"}
        if name in pk_names:
            return label(model), getattr(cls, "lookup_field", "pk") if name == getattr(cls, "lookup_url_kwarg", None) else "pk"
        if name == getattr(cls, "slug_url_kwarg", None):
            return label(model), getattr(cls, "slug_field", "slug")
        field_names = {f.name for f in model._meta.concrete_fields if not f.is_relation}
        if name in field_names:
            return label(model), name
    stem = re.sub(r"_(pk|id)$", "", name)
    stem = MODEL_ALIASES.get(stem, stem)
    if model is not None:
        try:
            related = model._meta.get_field(stem)
            if related.is_relation and related.related_model and label(related.related_model) in world.objects:
                return label(related.related_model), "pk"
        except Exception:  # not a field of the view's model
            pass
    for key, m in world.by_label.items():
        if m._meta.model_name == stem.replace("_", ""):
            return key, "pk"
    return None


def placeholder(route, name):
    if name in GENERIC_VALUES:
        return GENERIC_VALUES[name]
    return "999999" if isinstance(route.converters.get(name), IntConverter) else "placeholder"


def build_url(route, kwargs):
    if route.name:
        try:
            return reverse(route.name, kwargs=kwargs)
        except Exception:  # unnamed or unusual pattern: build it from the route text
            pass
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs.get(m.group(1), "")), route.route)
    if "(" in path or "^" in path:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs.get(m.group(1), "")), path)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def is_list_view(route):
    from core.views import ObjectListView

    cls = route.view_class
    return isinstance(cls, type) and issubclass(cls, ObjectListView)


@dataclass
class Request:
    url: str
    kind: str  # page / list / export / in-scope / out-of-scope / placeholder
    target: tuple = None  # (model label, pk) the URL names, for out-of-scope requests


@dataclass
class Report:
    failures: list = field(default_factory=list)
    requests: int = 0
    placeholders: dict = field(default_factory=dict)  # route name -> kwargs filled with placeholders
    unexercised: set = field(default_factory=set)  # route names with no row to put in the URL
    skipped: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=lambda: defaultdict(set))  # request kind -> route names


def plan(route, user, world, report):
    """The requests to make for one route as one user."""
    names = route.kwarg_names
    if not names:
        url = build_url(route, {})
        if is_list_view(route):
            return [Request(url + "?per_page=200", "list"), Request(url + "?_export=csv", "export")]
        return [Request(url, "page")]
    bindings = {n: kwarg_binding(route, n, world) for n in names}
    fixed = {n: placeholder(route, n) for n, b in bindings.items() if b is None}
    unfilled = [n for n in fixed if n not in GENERIC_VALUES]
    if unfilled:
        report.placeholders[route.name or route.route] = unfilled
    bound = {n: b for n, b in bindings.items() if b is not None}
    if not bound:
        return [Request(build_url(route, fixed), "placeholder" if unfilled else "page")]

    def url_for(pick):
        kwargs = dict(fixed)
        for n, (key, attr) in bound.items():
            obj = world.objects[key][pick[key]]
            kwargs[n] = getattr(obj, attr)
        return build_url(route, kwargs)

    requests = []
    keys = {key for key, _ in bound.values()}
    inside = {k: world.split(user, k)[0] for k in keys}
    if all(inside.values()):
        requests.append(Request(url_for({k: v[0] for k, v in inside.items()}), "in-scope"))
    samples = {k: world.out_of_scope_samples(user, k) for k in keys}
    main = label(view_model(route)) if view_model(route) is not None and label(view_model(route)) in keys else sorted(keys)[0]
    if all(samples.values()):
        for pk in samples[main]:
            pick = {k: (pk if k == main else v[0]) for k, v in samples.items()}
            requests.append(Request(url_for(pick), "out-of-scope", (main, pk)))
    if not requests:
        if not any(world.objects[k] for k in keys):
            report.unexercised.add(route.name or route.route)
        kwargs = {**fixed, **{n: ("999999" if attr == "pk" else "placeholder") for n, (_, attr) in bound.items()}}
        requests.append(Request(build_url(route, kwargs), "placeholder"))
    return requests


def body_text(response):
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    content_type = response.get("Content-Type", "")
    textual = not content_type or any(t in content_type for t in ("text/", "json", "javascript", "xml", "csv"))
    return data.decode("utf-8", errors="replace") if textual else None


def find_traces(text, urls, values):
    found = []
    for href in set(HREF_RE.findall(text)):
        if href in urls:
            found.append((urls[href], f"link {href}"))
    for value, owner in values.items():
        if value in text or html.escape(value) in text:
            found.append((owner, f"text {value!r}"))
    return found


@dataclass
class TokenCaller:
    """An API token as the walker's caller: every request carries ``Authorization: Bearer``.
    An operator token's scope is its network's rows, as a network user's is."""

    raw: str
    network_operator_id: int
    kind: str = "operator"
    role: str = "network"
    is_authenticated: bool = True
    is_superuser: bool = False
    local_authority_id: int = None
    school_id: int = None

    @property
    def username(self):
        return f"{self.kind} token"


def walk(world, user, *, urlconf=None, only=None):
    """Request every route as ``user`` (``None``: anonymous; a ``TokenCaller``: with its
    bearer token and no session) and return a ``Report``."""
    report = Report()
    if isinstance(user, TokenCaller):
        client = Client(raise_request_exception=True, headers={"Authorization": f"Bearer {user.raw}"})
    else:
        client = Client(raise_request_exception=True)
    if user is not None and not isinstance(user, TokenCaller):
        client.force_login(user)
    urls, values = world.traces(user)
    who = "anonymous" if user is None else f"{user.username} ({user.role})"
    for route in routes(urlconf):
        if only is not None and not only(route):
            continue
        reason = skip_reason(route)
        if reason:
            report.skipped[route.name or route.route] = reason
            continue
        for req in plan(route, user, world, report):
            report.requests += 1
            report.kinds[req.kind].add(route.name or route.route)
            problem = _check(client, req, world, urls, values)
            if problem:
                report.failures.append(f"{who} GET {req.url} [{route.name or route.route}, {req.kind}]: {problem}")
    return report


def _check(client, req, world, urls, values):
    with transaction.atomic():
        try:
            response = client.get(req.url)
            text = body_text(response)
        except Exception as exc:  # any exception is the 500 a user would see
            transaction.set_rollback(True)
            return f"raised {exc.__class__.__name__}: {exc}"
        transaction.set_rollback(True)
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if response.status_code != 200:
        return None
    problems = []
    if req.kind == "out-of-scope":
        key, pk = req.target
        own_urls, own_values = world.object_traces(key, pk)
        if text is None:
            problems.append(f"200 with a file for out-of-scope {world.describe(key, pk)}")
        elif not own_urls and not own_values:
            problems.append(f"200 for out-of-scope {world.describe(key, pk)} (nothing distinctive to prove it is not shown)")
        else:
            for value in own_values:
                if value in text or html.escape(value) in text:
                    problems.append(f"200 showing out-of-scope {world.describe(key, pk)}: text {value!r}")
    if text is not None:
        for (key, pk), how in find_traces(text, urls, values):
            problems.append(f"shows out-of-scope {world.describe(key, pk)}: {how}")
    return "; ".join(dict.fromkeys(problems)) or None


# Building the world ----------------------------------------------------------------------
def top_up_with_factories(targets):
    """Make sure every scoped model has a row at each (LA, school) of ``targets`` where the app's
    ``tests/factories.py`` can make one, so each route has rows in and out of every scope.
    Best effort: a model whose factory needs more than its scope keeps what seed_demo made."""
    factories = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.tests.factories")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            model = getattr(getattr(obj, "_meta", None), "model", None)
            if isinstance(obj, type) and model is not None and hasattr(obj, "create"):
                factories.setdefault(model, obj)
    made = defaultdict(int)
    for _ in range(2):  # a second pass fills models whose parents were made in the first
        for model in scoped_models():
            factory = factories.get(model)
            if factory is None or label(model) in NAME_VISIBLE_MODELS:
                continue
            paths = scope_paths(model)
            for la, school in targets:
                if paths.school and paths.school != "pk":
                    exists = model._default_manager.filter(**{paths.school: school.pk}).exists()
                elif paths.la:
                    exists = model._default_manager.filter(**{paths.la: la.pk}).exists()
                else:
                    exists = True
                if exists:
                    continue
                kwargs = _factory_kwargs(model, paths, la, school)
                if kwargs is None:
                    continue
                try:
                    with transaction.atomic():
                        factory(**kwargs)
                        made[label(model)] += 1
                except Exception:  # a factory that needs more: leave this model to seed_demo
                    continue
    return dict(made)


def _factory_kwargs(model, paths, la, school):
    fields = {f.name: f for f in model._meta.concrete_fields}
    kwargs = {}
    if "school" in fields and school is not None:
        kwargs["school"] = school
    if "local_authority" in fields:
        kwargs["local_authority"] = la
    if kwargs:
        return kwargs
    for path, target in ((paths.school, school), (paths.la, la)):
        first = (path or "").split("__")[0]
        field_ = fields.get(first)
        if not path or "__" not in path or field_ is None or not field_.is_relation:
            continue
        rest = path.split("__", 1)[1]
        parent = field_.related_model._default_manager.filter(**{rest: target.pk}).order_by("pk").first()
        if parent is not None:
            return {first: parent}
    return None
