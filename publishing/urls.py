from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("publishing/", views.PublicationListView.as_view(), name="publication_list"),
    path("publishing/publish/", views.PublishView.as_view(), name="publish"),
    path("publishing/<int:pk>/", views.PublicationDetailView.as_view(), name="publication_detail"),
    path("publishing/<int:pk>/figures.csv", views.PublicationCsvView.as_view(), name="publication_csv"),
    path("publishing/<int:pk>/schema.json", views.PublicationSchemaView.as_view(), name="publication_schema"),
]
