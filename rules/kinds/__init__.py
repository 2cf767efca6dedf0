"""The rule-library kinds. Importing this package registers them.

They are imported explicitly in this order because registration order is the order in which
check_all runs them and reports them: names, addresses, identity, dishonest, and then
the optional capital decision table (active only once its table is published).
"""

import importlib

KIND_MODULES = ("names", "addresses", "identity", "dishonest", "capital")

for _module in KIND_MODULES:
    importlib.import_module(f"rules.kinds.{_module}")
