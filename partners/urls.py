from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .views import accounts

urlpatterns = [
    path("settings/", views.partner_settings, name="partner_settings"),
    path("settings/webhook-secret/", views.rotate_webhook_secret, name="rotate_webhook_secret"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/", views.member_update, name="member_update"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("members/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]

# The user's own account (partners/views/accounts.py), not a partner's: logging in, two-factor
# authentication, invitations. Included at the root by rop_fleet/urls.py.
account_urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/login/code/", accounts.login_code, name="login_code"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", accounts.two_factor_page, name="two_factor"),
    path("accounts/two-factor/enrol/", accounts.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/two-factor/restart/", accounts.two_factor_restart, name="two_factor_restart"),
    path("accounts/two-factor/disable/", accounts.two_factor_disable, name="two_factor_disable"),
    path("accounts/two-factor/recovery-codes/", accounts.recovery_codes_renew, name="recovery_codes_renew"),
    path("invitations/<str:token>/", accounts.invitation, name="invitation"),
]
