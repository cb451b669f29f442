from django.conf import settings


def service(request):
    """Service name and the signed-in user's navigation, for the base template."""
    from core.navigation import navigation_for

    user = getattr(request, "user", None)
    # Context processors run again for every template rendered with the request (the table
    # template of a list page, for one); the navigation is worked out once per request.
    key = (getattr(user, "pk", None), request.path)
    cached = getattr(request, "_service_navigation", None)
    if cached is not None and cached[0] == key:
        navigation = cached[1]
    else:
        navigation = navigation_for(user, request.path) if user is not None else []
        request._service_navigation = (key, navigation)
    return {
        "service_name": settings.SERVICE_NAME,
        "support_phone": settings.SUPPORT_PHONE,
        "navigation": navigation,
    }
