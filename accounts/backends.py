"""Sign-in backend: Django's, reading the signed-in user with their LA and school.

Every page shows the user's scope (``User.scope_label``: their school or LA by name) in the
header, so reading those with the user saves a query on every request.
"""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        from accounts.models import User

        try:
            user = User._default_manager.select_related("local_authority", "school", "network_operator").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
