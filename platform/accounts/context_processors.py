from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, set[str]]:
    """The signed-in user's role names, so pages offer only what the server would allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": set()}
    return {"roles": set(user.groups.values_list("name", flat=True))}
