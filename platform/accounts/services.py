import secrets

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from accounts.models import ApiClient, Role


def api_client_create(*, name: str, attests_presence: bool = False) -> tuple[ApiClient, str]:
    """Creates an integrator and returns it with its key; the key is shown once and never stored.

    `attests_presence` marks a channel trusted to verify people in person (CONTRACT §5).
    """
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name, key_prefix=key[:8], key_hash=ApiClient.hash_key(key), attests_presence=attests_presence
    )
    return client, key


def api_client_key_renew(*, client: ApiClient) -> str:
    """Gives the client a new key and returns it, shown once; the old key stops working at once."""
    key = secrets.token_urlsafe(32)
    client.key_prefix, client.key_hash = key[:8], ApiClient.hash_key(key)
    client.save(update_fields=["key_prefix", "key_hash"])
    return key


# Department administrators work on rule libraries in the admin; which libraries is decided by
# their "dept:<code>" group, checked by the rules admin. No other role uses the admin.
ADMIN_APPS_BY_ROLE = {Role.DEPARTMENT_ADMIN: ("rules",)}


def department_group_name(department: str) -> str:
    return f"dept:{department}"


def roles_ensure() -> None:
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        apps = ADMIN_APPS_BY_ROLE.get(role, ())
        if apps:
            group.permissions.set(Permission.objects.filter(content_type__app_label__in=apps))


@transaction.atomic
def user_create_with_role(
    *, username: str, password: str, role: Role, full_name: str = "", department: str | None = None
) -> User:
    """Creates (or resets) a user in one role; department administrators also get their department."""
    if (role == Role.DEPARTMENT_ADMIN) != bool(department):
        raise ValueError("a department administrator needs a department, and only they have one")
    roles_ensure()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.first_name = full_name
    # No role needs superuser powers; only department administrators use the admin site.
    user.is_staff = role == Role.DEPARTMENT_ADMIN
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    if department:
        group, _ = Group.objects.get_or_create(name=department_group_name(department))
        user.groups.add(group)
    return user
