from django.conf import settings


def service(request):
    """Service name and the signed-in user's navigation, for the base template."""
    from core.navigation import menus_for

    user = getattr(request, "user", None)
    navigation, section_navigation = menus_for(user, request.path) if user is not None else ([], [])
    return {
        "service_name": settings.SERVICE_NAME,
        "support_phone": settings.SUPPORT_PHONE,
        "navigation": navigation,
        "section_navigation": section_navigation,
    }
