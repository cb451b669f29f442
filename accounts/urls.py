from django.urls import path

from accounts import views, views_sso, views_two_factor

app_name = "accounts"

urlpatterns = [
    path("schools/", views.SchoolListView.as_view(), name="school_list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school_detail"),
    path("schools/closed/", views.SuccessorListView.as_view(), name="successor_list"),
    path("schools/<int:pk>/move-to-successor/", views.SuccessorMoveView.as_view(), name="successor_move"),
    path("schools/<int:pk>/moved-to-successor/", views.SuccessorMovedView.as_view(), name="successor_moved"),
    path("schools/gias/", views.GiasImportView.as_view(), name="gias_import"),
    path("schools/gias/confirm/", views.GiasConfirmView.as_view(), name="gias_confirm"),
    path("schools/gias/done/", views.GiasDoneView.as_view(), name="gias_done"),
    path("local-authorities/", views.LocalAuthorityListView.as_view(), name="la_list"),
    path("local-authorities/<int:pk>/", views.LocalAuthorityDetailView.as_view(), name="la_detail"),
    path("account/two-step/", views_two_factor.AccountTwoFactorView.as_view(), name="two_factor"),
    path("account/two-step/code/", views_two_factor.VerifyView.as_view(), name="two_factor_verify"),
    path("account/two-step/set-up/", views_two_factor.SetupView.as_view(), name="two_factor_setup"),
    path("account/two-step/recovery-codes/", views_two_factor.RecoveryCodesView.as_view(), name="two_factor_recovery_codes"),
    path("users/two-step/", views_two_factor.UserTwoFactorListView.as_view(), name="two_factor_users"),
    path("users/<int:pk>/two-step/reset/", views_two_factor.UserTwoFactorResetView.as_view(), name="two_factor_reset"),
    # --- single sign-on (accounts/sso.py): one start page per provider, one callback
    path("sign-in/sso/dfe/", views_sso.SSOStartView.as_view(provider_name="dfe"), name="sso_start_dfe"),
    path("sign-in/sso/entra/", views_sso.SSOStartView.as_view(provider_name="entra"), name="sso_start_entra"),
    path("sign-in/sso/callback/", views_sso.SSOCallbackView.as_view(), name="sso_callback"),
]
