from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and access"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .login_throttle import count_failure

        user_login_failed.connect(count_failure, dispatch_uid="partners.login_throttle")
