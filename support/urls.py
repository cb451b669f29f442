from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    # Families, no account: choose a language, then the form; the private link to follow it.
    path("help/", views.HelpLanguageView.as_view(), name="help"),
    path("help/<str:lang>/", views.HelpFormView.as_view(), name="help_form"),
    path("help/<str:lang>/find/", views.FindTicketView.as_view(), name="find"),
    path("help/<str:lang>/find/code/", views.FindTicketCodeView.as_view(), name="find_code"),
    path("help/t/<str:reference>/<str:token>/", views.FamilyTicketView.as_view(), name="family_ticket"),
    path("help/t/<str:reference>/<str:token>/files/<int:pk>/", views.FamilyAttachmentView.as_view(), name="family_attachment"),
    # Staff.
    path("support/", views.QueueView.as_view(), name="queue"),
    path("support/mine/", views.MyTicketsView.as_view(), name="my_tickets"),
    path("support/bulk/", views.TicketBulkView.as_view(), name="ticket_bulk"),
    path("support/tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("support/new/", views.StaffTicketCreateView.as_view(), name="ticket_create"),
    path("support/my-languages/", views.MyLanguagesView.as_view(), name="my_languages"),
    path("support/tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("support/tickets/<int:pk>/claim/", views.ClaimView.as_view(), name="ticket_claim"),
    path("support/tickets/<int:pk>/assign/", views.AssignView.as_view(), name="ticket_assign"),
    path("support/tickets/<int:pk>/status/", views.StatusView.as_view(), name="ticket_status"),
    path("support/tickets/<int:pk>/language/", views.LanguageView.as_view(), name="ticket_language"),
    path("support/tickets/<int:pk>/reply/", views.ReplyView.as_view(), name="ticket_reply"),
    path("support/files/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
]
