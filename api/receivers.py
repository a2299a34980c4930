"""Signal receivers, connected in ApiConfig.ready: a token stops with its maker.

Django's model signals, not a service's, so that every way of removing a member or
deactivating a user counts: the Members page, the Django admin, a shell. (tokens.authenticate
checks the maker on every call as well, for changes that send no signal.)"""

from typing import Any

from django.contrib.auth.models import User

from partners.models import Membership

from .models import RevokedReason
from .tokens import revoke_tokens_of_maker


def membership_removed(sender: object, *, instance: Membership, **kwargs: Any) -> None:
    user = User.objects.filter(id=instance.user_id).first()
    if user is not None:  # None: the user itself is being deleted (user_deleted handles that)
        revoke_tokens_of_maker(user, RevokedReason.MAKER_LEFT, partner=instance.partner)


def user_saved(sender: object, *, instance: User, **kwargs: Any) -> None:
    if not instance.is_active:
        revoke_tokens_of_maker(instance, RevokedReason.MAKER_DEACTIVATED)


def user_deleted(sender: object, *, instance: User, **kwargs: Any) -> None:
    # Before the row goes: created_by is SET_NULL, and a token without a maker would keep working.
    revoke_tokens_of_maker(instance, RevokedReason.MAKER_DELETED)
