from django.urls import path

from core import views

app_name = "core"

# Import pages (upload, mapping, dry run, commit, progress, history) are added by core.imports.
urlpatterns = [path("scheduled-jobs/", views.ScheduledJobsView.as_view(), name="scheduled_jobs")]

try:
    from core.imports.urls import urlpatterns as import_urlpatterns

    urlpatterns += import_urlpatterns
except ModuleNotFoundError as exc:
    if exc.name not in ("core.imports", "core.imports.urls"):
        raise
