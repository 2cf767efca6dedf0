"""Signals the rules app sends; the platform's audit log listens.

``version_published`` is sent (after the transaction commits) whenever a list version is
published, from the CLI or the admin, with ``kind`` (str), ``number`` (int) and
``published_by`` (a username, or "" when published from the command line).
"""

from django.dispatch import Signal

version_published = Signal()
