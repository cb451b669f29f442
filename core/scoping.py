"""Row-level scope: the one place that decides which rows a user may see.

Every model with rows that belong to an LA or a school uses a QuerySet derived from
``ScopedQuerySet`` and names the path to its LA and school. Base views, form choices,
exports, the API and search all call ``visible_to(user)``; nothing else filters by scope.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    #: ORM path from this model to its LocalAuthority (``None``: not LA-scoped).
    scope_la_field = None
    #: ORM path from this model to its School (``None``: school staff see nothing).
    scope_school_field = None
    #: Whether the London lead, who sees aggregates only, may list these rows.
    aggregate_visible_to_london = False
    #: ORM path from this model to its NetworkOperator (``None``: network users see nothing).
    #: A network user sees only rows of their own network (``user.network_operator``).
    scope_network_field = None

    def visible_to(self, user):
        """Rows ``user`` may see. Anonymous and inactive users see nothing."""
        from accounts.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role == Role.ADMIN:
            return self.all()
        if user.role == Role.LONDON_LEAD:
            return self.all() if self.aggregate_visible_to_london else self.none()
        if user.role == Role.NETWORK:
            if not self.scope_network_field or not user.network_operator_id:
                return self.none()
            return self.filter(**{self.scope_network_field: user.network_operator_id})
        if user.role == Role.SCHOOL_STAFF:
            if not self.scope_school_field or not user.school_id:
                return self.none()
            return self.filter(**{self.scope_school_field: user.school_id}).distinct_if_needed(
                self.scope_school_field
            )
        if user.role == Role.SUPPORT_AGENT and not user.local_authority_id:
            return self.all()
        if not self.scope_la_field or not user.local_authority_id:
            return self.none()
        return self.filter(**{self.scope_la_field: user.local_authority_id}).distinct_if_needed(
            self.scope_la_field
        )

    def distinct_if_needed(self, path):
        # A path through a reverse relation (LA -> schools) can repeat rows.
        first = path.split("__")[0]
        if first == "pk":
            return self
        field = self.model._meta.get_field(first)
        return self.distinct() if (field.one_to_many or field.many_to_many) else self
