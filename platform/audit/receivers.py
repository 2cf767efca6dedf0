"""Audit events for things other apps announce with signals rather than by calling audit_record."""

import logging

from audit.services import SYSTEM, audit_record

logger = logging.getLogger(__name__)


def _actor_name(published_by: object) -> str:
    """rules sends a username, or "" for the command line; a User object is accepted too."""
    if hasattr(published_by, "get_username"):
        published_by = published_by.get_username()
    if not published_by:
        return SYSTEM
    name = str(published_by)
    return (name if ":" in name else f"user:{name}")[:100]


def library_published(
    sender: object, *, kind: str, number: int, published_by: object = None, scope: str = "national", **kwargs: object
) -> None:
    # rules sends this on commit of the publication, so the event is written right after, as
    # an INSERT of its own. A local layer's publication names its jurisdiction.
    local = {"scope": scope} if scope and scope != "national" else {}
    audit_record(action="library.published", actor=_actor_name(published_by), kind=kind, number=number, **local)


def connect_receivers() -> None:
    try:
        from rules.signals import version_published
    except ImportError:
        # The rules app announces publications from its own release on; until then there is
        # nothing to listen to.
        logger.debug("rules.signals is not available; library publications are not audited")
        return
    version_published.connect(library_published, dispatch_uid="audit.library_published")
