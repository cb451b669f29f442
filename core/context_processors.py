from django.conf import settings


def service(request):
    """Service name and the signed-in user's navigation, for the base template."""
    from core.navigation import navigation_for

    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "support_phone": settings.SUPPORT_PHONE,
        "navigation": navigation_for(user, request.path) if user is not None else [],
    }
