from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Export API"

    def ready(self) -> None:
        from django.contrib.auth.models import User
        from django.db.models.signals import post_delete, post_save, pre_delete

        from partners.models import Membership

        from .receivers import membership_removed, user_deleted, user_saved

        post_delete.connect(membership_removed, sender=Membership, dispatch_uid="api.membership_removed")
        post_save.connect(user_saved, sender=User, dispatch_uid="api.user_saved")
        pre_delete.connect(user_deleted, sender=User, dispatch_uid="api.user_deleted")
