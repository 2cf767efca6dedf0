import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from accounts.models import ApiClient, Role


def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """Creates an integrator and returns it with its key; the key is shown once and never stored."""
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name, key_prefix=key[:8], key_hash=ApiClient.hash_key(key))
    return client, key


def roles_ensure() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def user_create_with_role(*, username: str, password: str, role: Role, full_name: str = "") -> User:
    roles_ensure()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.first_name = full_name
    # The admin site is for department administrators and operators; no role needs superuser.
    user.is_staff = role in (Role.DEPARTMENT_ADMIN, Role.OPERATOR)
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    return user
