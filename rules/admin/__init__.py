"""Admin screens for the rule libraries, scoped by department and jurisdiction, one module per
concern:

* ``scoping``: who sees and edits which lists and layers;
* ``versions``: version history, publishing, diff and export;
* ``imports``: the bulk-import screen and background import jobs;
* ``console``: the "try it" console (the Subject built from its form);
* ``entries``, ``golden``, ``registrations``: the other models.

Importing this package registers the models with the admin site.
"""

from rules.admin import entries, golden, registrations, versions  # noqa: F401
