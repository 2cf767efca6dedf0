from django.contrib.auth.models import AnonymousUser, User

from accounts.models import ApiClient, Role


def user_has_role(*, user: User | AnonymousUser, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role.value).exists()


def api_client_by_key(*, key: str) -> ApiClient | None:
    return ApiClient.objects.filter(key_hash=ApiClient.hash_key(key), is_active=True).first()
