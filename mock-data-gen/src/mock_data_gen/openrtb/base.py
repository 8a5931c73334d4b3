"""Shared building blocks of the OpenRTB 2.6 models: JSON types, coded values and the base model.

Typing follows the JSON types of the spec exactly (strict validation): a string where the spec has
an integer, ``true`` for a 0/1 flag, or ``300.0`` for an integer is an error, because strongly
typed bidders reject such requests. Floats accept JSON integers (``"bidfloor": 2``).

Serialisation writes only what is set: ``None`` fields and empty arrays are omitted, so spec
defaults are never emitted on the receiver's behalf. Unknown fields are kept (``extra="allow"``)
and written back unchanged, as are ``ext`` objects.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Annotated, Any, Self, TypeVar

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, Strict
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from mock_data_gen.openrtb.adcom import is_listed

T = TypeVar("T")

Str = Annotated[str, Strict()]
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]
# Sizes in pixels, size ratios and pixel densities count something, so they are never negative;
# the official JSON Schema types them only as integers.
Size = Annotated[int, Strict(), Ge(0)]
# The spec's bid floors are CPM amounts; the official JSON Schema sets minimum 0.
Price = Annotated[float, Strict(), Ge(0)]
Latitude = Annotated[float, Strict(), Ge(-90), Le(90)]
Longitude = Annotated[float, Strict(), Ge(-180), Le(180)]
# Placeholder for exchange-specific extensions; carried verbatim.
Ext = dict[str, Any] | None


def _is_empty(value: object) -> bool:
    return value is None or value == []


# An optional array: absent and ``[]`` both mean "not given" and neither is written out.
Array = Annotated[list[T] | None, Field(exclude_if=_is_empty)]
# A required array that must hold at least one element (``imp``, ``mimes``, ``nodes``).
NonEmptyArray = Annotated[list[T], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class Choice:
    """An integer restricted to the values the spec enumerates inline (0/1 flags, ``ssai``)."""

    values: tuple[int, ...]

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        allowed = frozenset(self.values)
        expected = _word_list([str(value) for value in self.values], "or")

        def check(value: int) -> int:
            if value not in allowed:
                raise PydanticCustomError("choice", "must be {expected}", {"expected": expected})
            return value

        return core_schema.no_info_after_validator_function(
            check, core_schema.int_schema(strict=True)
        )


@dataclass(frozen=True, slots=True)
class Code:
    """An integer whose meaning comes from an AdCOM list (or an inline OpenRTB list).

    Every integer is accepted, since lists grow and reserve vendor ranges (OpenRTB 2.6 §2.6). A
    listed value is returned as the enum member (an ``int`` subclass, written back as a plain
    number); anything else stays a plain ``int``. :func:`unlisted_codes` reports the latter.
    """

    codes: type[IntEnum]

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        members: dict[int, int] = {member.value: member for member in self.codes}

        def to_member(value: int) -> int:
            return members.get(value, value)

        return core_schema.no_info_after_validator_function(
            to_member, core_schema.int_schema(strict=True)
        )


Flag = Annotated[int, Choice((0, 1))]


class OpenRTBModel(BaseModel):
    """Base of every OpenRTB object: unknown fields are kept, output omits what is unset."""

    # NaN and infinities have no JSON representation, so a model holding one could not be written.
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # Unset fields are the norm in OpenRTB; listing them all would drown the set ones.
        return ((name, value) for name, value in super().__repr_args__() if value is not None)

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        """Parse and validate one JSON document (raises ``pydantic.ValidationError``)."""
        return cls.model_validate_json(data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON value of this object, without unset fields and empty arrays."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self) -> bytes:
        """Compact UTF-8 JSON, without unset fields and empty arrays."""
        return self.model_dump_json(exclude_none=True).encode()


def json_path(parent: str, key: str | int) -> str:
    """Append a member name or array index to a path like ``imp[0].banner``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    name = key if key.isidentifier() else f"[{json.dumps(key)}]"
    if not parent or name.startswith("["):
        return f"{parent}{name}"
    return f"{parent}.{name}"


def iter_objects(obj: OpenRTBModel, path: str = "") -> Iterator[tuple[str, OpenRTBModel]]:
    """Every OpenRTB object in the tree below ``obj`` (itself included) with its JSON path."""
    yield path, obj
    # ``__dict__`` holds the declared fields only and, unlike attribute access, does not trip
    # the deprecation warnings of deprecated fields.
    for name, value in obj.__dict__.items():
        if isinstance(value, OpenRTBModel):
            yield from iter_objects(value, json_path(path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, OpenRTBModel):
                    yield from iter_objects(item, json_path(json_path(path, name), index))


def unknown_fields(obj: OpenRTBModel) -> list[str]:
    """JSON paths of members the spec does not define for their object, e.g. ``imp[0].video.apis``.

    Contents of ``ext`` are exchange-defined and never reported.
    """
    return [
        json_path(path, key)
        for path, node in iter_objects(obj)
        for key in (node.__pydantic_extra__ or {})
    ]


@dataclass(frozen=True, slots=True)
class UnlistedCode:
    """A coded value that its list does not define (see :func:`unlisted_codes`)."""

    path: str
    value: int
    codes: type[IntEnum]


def unlisted_codes(obj: OpenRTBModel) -> list[UnlistedCode]:
    """Coded values outside their list (neither a member nor a reserved vendor code)."""
    found: list[UnlistedCode] = []
    for path, node in iter_objects(obj):
        for name, codes in coded_fields(type(node)).items():
            value = node.__dict__[name]
            if value is None:
                continue
            field_path = json_path(path, name)
            if isinstance(value, list):
                found.extend(
                    UnlistedCode(json_path(field_path, index), item, codes)
                    for index, item in enumerate(value)
                    if not is_listed(codes, item)
                )
            elif not is_listed(codes, value):
                found.append(UnlistedCode(field_path, value, codes))
    return found


@cache
def child_models(model: type[OpenRTBModel]) -> dict[str, type[OpenRTBModel]]:
    """The fields of ``model`` holding an OpenRTB object or an array of them, with that type."""
    children: dict[str, type[OpenRTBModel]] = {}
    for name, field in model.model_fields.items():
        child = _find_model(field.annotation)
        if child is not None:
            children[name] = child
    return children


def _find_model(annotation: object) -> type[OpenRTBModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, OpenRTBModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


@cache
def coded_fields(model: type[OpenRTBModel]) -> dict[str, type[IntEnum]]:
    """The fields of ``model`` holding a coded value or an array of them, with their list."""
    coded: dict[str, type[IntEnum]] = {}
    for name, field in model.model_fields.items():
        code = _find_code(field.annotation)
        if code is not None:
            coded[name] = code.codes
    return coded


def _find_code(annotation: object) -> Code | None:
    if typing.get_origin(annotation) is Annotated:
        for meta in getattr(annotation, "__metadata__", ()):
            if isinstance(meta, Code):
                return meta
    for arg in typing.get_args(annotation):
        code = _find_code(arg)
        if code is not None:
            return code
    return None


M = TypeVar("M", bound=OpenRTBModel)


def require_exclusive(obj: M, *names: str) -> M:
    """Reject ``obj`` if more than one of the named fields is set (spec "only one of ... may")."""
    present = [name for name in names if obj.__dict__.get(name) not in (None, [])]
    if len(present) > 1:
        raise PydanticCustomError(
            "exclusive_fields",
            "only one of {fields} may be present",
            {"fields": _word_list(present, "and")},
        )
    return obj


def _word_list(words: list[str], conjunction: str) -> str:
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}" if len(words) > 1 else words[0]
