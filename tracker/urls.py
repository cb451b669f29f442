from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import LoginView, PasswordResetView
from accounts.views_sso import SignOutView
from core.views import HealthView, HomeView, robots

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("robots.txt", robots),
    path("sign-in/", LoginView.as_view(), name="login"),
    path("sign-out/", SignOutView.as_view(), name="logout"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("core.urls")),
    path("admin/", admin.site.urls),
]

# Each app's pages; an app without urls yet is skipped so the project always starts.
for app in ("devices", "connectivity", "allocations", "support", "messaging", "reports", "guides", "stocktakes", "campaigns"):
    try:
        urlpatterns.append(path("", include(f"{app}.urls")))
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.urls":
            raise


try:
    urlpatterns.append(path("api/", include("tracker.api_urls")))
except ModuleNotFoundError as exc:
    if exc.name != "tracker.api_urls":
        raise

admin.site.site_header = settings.SERVICE_NAME
admin.site.site_title = settings.SERVICE_NAME

# A database connection error raised outside a view (a middleware loading the session) gets the
# same 503 page as one raised in a view (core.middleware).
handler500 = "core.middleware.server_error"

# Publishing London's figures to the London Datastore (publishing/).
urlpatterns.append(path("", include("publishing.urls")))
# Moving a child, with their devices and history, to another council (transfers/).
urlpatterns.append(path("", include("transfers.urls")))
