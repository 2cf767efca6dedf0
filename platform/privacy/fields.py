"""Model fields that keep personal data encrypted in the database and decrypt it in memory.

``EncryptedTextField`` stores a Fernet token and gives back the plain string; ``BlindIndexField``
stores the keyed hash of another field, recomputed on every save (and bulk_create), so the two
never disagree. An exact lookup on an encrypted field that names its index, such as
``Person.objects.filter(id_number=...)``, is answered through the index; every other lookup is
refused, because a random ciphertext can match nothing and a silent empty result would be a bug.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler

from privacy.crypto import blind_index, decrypt, encrypt


class BlindIndexExact(Lookup):
    """``encrypted_field = value`` compiled as ``index_column = keyed_hash(value)``."""

    lookup_name = "exact"
    # The value must reach as_sql in the clear: preparing it would encrypt it.
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        target = getattr(self.lhs, "target", None)
        index_name = getattr(target, "blind_index", "")
        if not index_name or hasattr(self.rhs, "resolve_expression") or not isinstance(self.rhs, str):
            raise FieldError("an encrypted field can only be compared with a plain string, through its blind index")
        index_field = target.model._meta.get_field(index_name)
        lhs_sql, lhs_params = compiler.compile(index_field.get_col(self.lhs.alias))
        return f"{lhs_sql} = %s", [*lhs_params, index_field.digest(self.rhs)]


class EncryptedTextField(models.TextField):
    """A string stored as a Fernet token. "" and NULL stay as they are, so erased data is empty."""

    description = "Text encrypted at rest"

    def __init__(self, *args: Any, blind_index: str = "", **kwargs: Any) -> None:
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def encrypt(self, value: str) -> str:
        return encrypt(value)

    def decrypt(self, value: str) -> str:
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return self.encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None or value == "":
            return value
        return self.decrypt(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact" and self.blind_index:
            return BlindIndexExact
        return None

    def get_transform(self, lookup_name: str) -> None:
        return None


class BlindIndexField(models.CharField):
    """The keyed hash of the field named ``source``; "" when that field is empty."""

    description = "Blind index (keyed hash) of an encrypted field"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def digest(self, value: str) -> str:
        return blind_index(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.digest(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
