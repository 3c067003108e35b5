"""
The aircraft type catalogue: which names mean one type, which types form a family, who flies them.

Sources name the same aircraft differently: "H-6", "H-6K", "轰-6K"; "Tu-95",
"Tu-95MS", "Ту-95МС". The catalogue maps every such name to one
:class:`AircraftType`, with its family (the H-6K is an H-6), its role, its
NATO reporting name and the air arms that fly it. Names match whatever their
case, spaces and hyphens: ``"H6K"``, ``"h-6k"`` and ``"轰-6K"`` all find the H-6K.

The shipped catalogue (:func:`default_catalogue`) is read from the package's
data file ``incidents/data/aircraft_types.json``. It was compiled from public
reference works and is not an official list; each entry says where its facts
come from (``provenance``). Users add or replace entries with
:meth:`AircraftCatalogue.with_types` or :meth:`AircraftCatalogue.extended` (a
file in the same JSON format), which return a new catalogue.

Who operates a type is answered in three ways, because unknown is not "no":
``True`` when the catalogue lists the nation as an operator (of the type, or,
for a family's own entry, of any type of the family); ``False`` only for
nations whose fleets the catalogue lists in full (``covered_nations``);
``None`` for every other nation and for types the catalogue does not know.

>>> catalogue = default_catalogue()
>>> catalogue.lookup("轰-6K").designation
'H-6K'
>>> catalogue.family_of("Ту-95МС")
'Tu-95'
>>> catalogue.operates("JP", "F-16"), catalogue.operates("KR", "F-16")
(False, True)
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from incidents._domain.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, check_text, shown
from incidents._domain.nations import ASSIGNED_NATIONS, nation_error
from incidents._errors import InvalidInputError

__all__ = [
    "FORMAT",
    "AircraftCatalogue",
    "AircraftOperator",
    "AircraftRole",
    "AircraftType",
    "default_catalogue",
    "name_key",
]

FORMAT = 1
"""The version of the catalogue's JSON format."""


class AircraftRole(enum.Enum):
    """
    What an aircraft type is for (its main role; many types can do more).
    """

    BOMBER = "bomber"
    FIGHTER = "fighter"
    AEW_C = "AEW&C"
    """Airborne early warning and control."""
    TANKER = "tanker"
    RECONNAISSANCE = "reconnaissance"
    ELECTRONIC_WARFARE = "electronic warfare"
    TRANSPORT = "transport"
    PATROL = "patrol"
    """Maritime patrol and anti-submarine warfare."""


_ROLES = {role.value.casefold(): role for role in AircraftRole} | {
    role.name.casefold(): role for role in AircraftRole
}

# Hyphens, dashes and minus signs that sources put inside designations.
_DASHES = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"))


def name_key(name: str) -> str:
    """
    The form in which names are compared: case, spaces and hyphens ignored.

    Full-width letters and digits count as their ordinary forms (NFKC).

    Args:
        name: A designation or alias.

    Returns:
        The key; two names that give the same key name the same type.

    >>> name_key("Tu-95 MS") == name_key("TU95MS") == name_key("Ｔｕ－９５ＭＳ")
    True
    """
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_DASHES)
    return "".join(folded.split())


def _role(value: Any) -> AircraftRole:
    if isinstance(value, AircraftRole):
        return value
    if isinstance(value, str) and value.casefold() in _ROLES:
        return _ROLES[value.casefold()]
    roles = ", ".join(repr(r.value) for r in AircraftRole)
    raise InvalidInputError(f"unknown role {shown(value)}; expected one of {roles}")


def _text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{attribute.name} must be non-empty text, got {shown(value)}")
    check_text(value, attribute.name, MAX_TEXT_LENGTH)


def _optional_text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _text(_, attribute, value)


def _nation(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or value not in ASSIGNED_NATIONS:
        raise InvalidInputError(nation_error(attribute.name, value))


def _tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError(f"expected a list, got {shown(value)}")
    return tuple(value)


def _nation_set(value: Any) -> frozenset[Any]:
    return frozenset(_tuple(value))


def _names(_: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not name_key(item):
            raise InvalidInputError(
                f"{attribute.name} must hold non-empty names, got {shown(item)}"
            )
        check_text(item, f"a name in {attribute.name}", MAX_NAME_LENGTH)


def _operators(_: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    for item in value:
        if not isinstance(item, AircraftOperator):
            raise InvalidInputError(
                f"{attribute.name} must hold AircraftOperator values, got {shown(item)}"
            )


@attrs.frozen
class AircraftOperator:
    """
    An air arm that flies a type.

    Attributes:
        nation: ISO 3166-1 alpha-2 code of its nation, e.g. ``"JP"``.
        air_arm: Its name, e.g. ``"Japan Air Self-Defense Force"``.
    """

    nation: str = attrs.field(validator=_nation)
    air_arm: str = attrs.field(validator=_text)


@attrs.frozen(kw_only=True)
class AircraftType:
    """
    One aircraft type: its canonical designation and what is known about it.

    Attributes:
        designation: The canonical designation, e.g. ``"H-6K"``.
        family: The designation of its family's own entry, e.g. ``"H-6"``;
            a family's own entry names itself (the default).
        role: Its main role.
        provenance: Where these facts come from.
        nato_name: NATO reporting name, e.g. ``"Bear-H"``, if it has one.
        aliases: Other names for it, in any script, e.g. ``("轰-6K",)``.
        operators: The air arms that fly it.
    """

    designation: str = attrs.field(validator=_text)
    role: AircraftRole = attrs.field(converter=_role)
    provenance: str = attrs.field(validator=_text)
    family: str = attrs.field(
        default=attrs.Factory(lambda self: self.designation, takes_self=True), validator=_text
    )
    nato_name: str | None = attrs.field(default=None, validator=_optional_text)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_names)
    operators: tuple[AircraftOperator, ...] = attrs.field(
        default=(), converter=_tuple, validator=_operators
    )

    @property
    def nations(self) -> frozenset[str]:
        """
        The nations of its operators.
        """
        return frozenset(o.nation for o in self.operators)

    @property
    def names(self) -> tuple[str, ...]:
        """
        Its designation, then its aliases.
        """
        return (self.designation, *self.aliases)


@attrs.frozen(repr=False)
class AircraftCatalogue:
    """
    Aircraft types by every name they go by, with their families and operators.

    A catalogue never changes: :meth:`with_types` and :meth:`extended` return
    a new one. Construction checks that no two types share a designation or
    a name (compared as :func:`name_key` does) and that every family names a
    family's own entry.

    Attributes:
        types: The types, in the order given.
        covered_nations: Nations whose operators are listed in full: for
            every type in the catalogue, a nation here that is not listed
            as an operator does not fly it. :meth:`operates` answers
            ``False`` only for these.

    Raises:
        InvalidInputError: If a name is used twice, a family is missing, or
            a nation code is not an assigned ISO 3166-1 code.
    """

    types: tuple[AircraftType, ...] = attrs.field(converter=_tuple)
    covered_nations: frozenset[str] = attrs.field(default=frozenset(), converter=_nation_set)
    _by_key: Mapping[str, AircraftType] = attrs.field(init=False, eq=False)
    _family_nations: Mapping[str, frozenset[str]] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        for nation in sorted(self.covered_nations, key=repr):
            if not isinstance(nation, str) or nation not in ASSIGNED_NATIONS:
                raise InvalidInputError(nation_error("covered_nations", nation))
        designations: dict[str, AircraftType] = {}
        for t in self.types:
            if not isinstance(t, AircraftType):
                raise InvalidInputError(f"types must hold AircraftType values, got {t!r}")
            key = name_key(t.designation)
            if key in designations:
                raise InvalidInputError(
                    f"duplicate designation {t.designation!r}"
                    f" (already used by {designations[key].designation!r})"
                )
            designations[key] = t
        by_key: dict[str, AircraftType] = {}
        for t in self.types:
            for name in t.names:
                key = name_key(name)
                other = by_key.get(key, designations.get(key, t))
                if other is not t:
                    raise InvalidInputError(
                        f"{name!r} names two types: {_describe(other, key)} and {_describe(t, key)}"
                    )
                by_key[key] = t
        family_nations: dict[str, set[str]] = {}
        for t in self.types:
            root = next((r for r in self.types if r.designation == t.family), None)
            if root is None:
                near = designations.get(name_key(t.family))
                hint = f"; did you mean {near.designation!r}?" if near is not None else ""
                raise InvalidInputError(
                    f"family {t.family!r} of {t.designation!r} is not in the catalogue{hint}"
                )
            if root.family != root.designation:
                raise InvalidInputError(
                    f"family {t.family!r} of {t.designation!r} is itself a member of family"
                    f" {root.family!r}: name the family's own entry"
                )
            family_nations.setdefault(t.family, set()).update(t.nations)
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(
            self, "_family_nations", {f: frozenset(n) for f, n in family_nations.items()}
        )

    def __repr__(self) -> str:
        covered = ", ".join(sorted(self.covered_nations)) or "none"
        return f"<AircraftCatalogue of {len(self.types)} types; complete for {covered}>"

    def __len__(self) -> int:
        return len(self.types)

    def __iter__(self) -> Iterator[AircraftType]:
        return iter(self.types)

    def lookup(self, name: str) -> AircraftType | None:
        """
        Find a type by its designation or any alias.

        Args:
            name: e.g. ``"H-6K"``, ``"h6k"``, ``"轰-6K"``, ``"Ту-95МС"``.

        Returns:
            The type, or ``None`` if the catalogue does not know the name.

        Raises:
            InvalidInputError: If *name* is not text.

        >>> default_catalogue().lookup("ту-95мс").designation
        'Tu-95MS'
        """
        if not isinstance(name, str):
            raise InvalidInputError(f"an aircraft name must be text, got {name!r}")
        return self._by_key.get(name_key(name))

    def family_of(self, name: str) -> str | None:
        """
        The family of the type a name stands for.

        Args:
            name: A designation or alias.

        Returns:
            The designation of the family's own entry (``"H-6"`` for
            ``"H-6K"`` and for ``"H-6"``), or ``None`` for an unknown name.
        """
        found = self.lookup(name)
        return None if found is None else found.family

    def operates(self, nation: str, name: str) -> bool | None:
        """
        Whether a nation flies a type, as far as the catalogue knows.

        For a family's own entry (``"F-16"``), any type of the family counts:
        South Korea's KF-16 makes it an F-16 operator.

        Args:
            nation: ISO 3166-1 alpha-2 code.
            name: A designation or alias.

        Returns:
            ``True`` if the catalogue lists the nation as an operator;
            ``False`` if it does not and the nation is one of
            :attr:`covered_nations`; ``None`` if the type is unknown or the
            nation is not covered: unknown is not "no".

        Raises:
            InvalidInputError: If *nation* is not an assigned code or *name*
                is not text.
        """
        if not isinstance(nation, str) or nation not in ASSIGNED_NATIONS:
            raise InvalidInputError(nation_error("nation", nation))
        found = self.lookup(name)
        if found is None:
            return None
        if found.family == found.designation:
            nations = self._family_nations[found.designation]
        else:
            nations = found.nations
        if nation in nations:
            return True
        if nation in self.covered_nations:
            return False
        return None

    def with_types(
        self, *types: AircraftType, covered_nations: Iterable[str] = ()
    ) -> AircraftCatalogue:
        """
        A new catalogue with types added or replaced.

        A type whose designation matches one in this catalogue (compared as
        names are) replaces it, in its place; others are added at the end.

        Args:
            types: The types to add or replace.
            covered_nations: Nations to add to :attr:`covered_nations`.

        Returns:
            The new catalogue; this one is unchanged.

        Raises:
            InvalidInputError: If two of *types* have the same designation,
                or the result is not a valid catalogue.
        """
        merged = {name_key(t.designation): t for t in self.types}
        given: dict[str, AircraftType] = {}
        for t in types:
            if not isinstance(t, AircraftType):
                raise InvalidInputError(f"with_types() takes AircraftType values, got {t!r}")
            key = name_key(t.designation)
            if key in given:
                raise InvalidInputError(
                    f"duplicate designation {t.designation!r}"
                    f" (already given as {given[key].designation!r})"
                )
            given[key] = merged[key] = t
        return AircraftCatalogue(
            types=tuple(merged.values()),
            covered_nations=self.covered_nations | frozenset(_tuple(covered_nations)),
        )

    def extended(self, path: str | os.PathLike[str]) -> AircraftCatalogue:
        """
        A new catalogue with the types of a JSON file added or replaced.

        The file has the format of the shipped one: ``{"format": 1,
        "types": [...], "covered_nations": [...]}`` (``covered_nations``
        optional), each type an object with ``designation``, ``role``,
        ``provenance`` and optionally ``family``, ``nato_name``, ``aliases``
        and ``operators`` (``[{"nation": "JP", "air_arm": "..."}]``).
        Families may name types of this catalogue.

        Args:
            path: The file.

        Returns:
            The new catalogue; this one is unchanged.

        Raises:
            InvalidInputError: If the file cannot be read or is not a valid
                catalogue once merged; the message names the file and entry.
        """
        types, covered = _read_file(path)
        try:
            return self.with_types(*types, covered_nations=covered)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{os.fspath(path)}: {exc}") from None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> AircraftCatalogue:
        """
        A catalogue of the types of one JSON file alone (see :meth:`extended`).

        Args:
            path: The file.

        Returns:
            The catalogue.

        Raises:
            InvalidInputError: If the file cannot be read or is not a valid
                catalogue.
        """
        types, covered = _read_file(path)
        try:
            return cls(types=types, covered_nations=covered)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{os.fspath(path)}: {exc}") from None

    @classmethod
    def from_json(cls, data: str | bytes, *, origin: str = "catalogue") -> AircraftCatalogue:
        """
        A catalogue from JSON text in the catalogue's format (see :meth:`extended`).

        Args:
            data: The JSON text.
            origin: What to call it in error messages.

        Returns:
            The catalogue.

        Raises:
            InvalidInputError: If it is not a valid catalogue.
        """
        types, covered = _parse(data, origin)
        try:
            return cls(types=types, covered_nations=covered)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{origin}: {exc}") from None


def _describe(t: AircraftType, key: str) -> str:
    if name_key(t.designation) == key:
        return f"the designation of {t.designation!r}"
    alias = next(a for a in t.aliases if name_key(a) == key)
    return f"alias {alias!r} of {t.designation!r}"


_FIELDS = {f.name for f in attrs.fields(AircraftType)}
_REQUIRED = {"designation", "role", "provenance"}
_TOP = {"format", "about", "covered_nations", "types"}


def _read_file(path: str | os.PathLike[str]) -> tuple[tuple[AircraftType, ...], tuple[str, ...]]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read aircraft catalogue {os.fspath(path)}: {exc.strerror}"
        ) from None
    return _parse(data, os.fspath(path))


def _parse(data: str | bytes, origin: str) -> tuple[tuple[AircraftType, ...], tuple[str, ...]]:
    try:
        document = json.loads(data)
    except RecursionError:
        raise InvalidInputError(f"{origin}: not a JSON document: nested too deeply") from None
    except (ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidInputError(f"{origin}: not a JSON document: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInputError(f"{origin}: expected a JSON object with a 'types' list")
    unknown = sorted(document.keys() - _TOP)
    if unknown:
        raise InvalidInputError(
            f"{origin}: unknown key {shown(unknown[0])}; expected {', '.join(sorted(_TOP))}"
        )
    version = document.get("format", FORMAT)
    if type(version) is not int or version != FORMAT:  # true and 1.0 compare equal to 1
        raise InvalidInputError(
            f"{origin}: format {shown(version)} is not supported (expected {FORMAT})"
        )
    items = document.get("types")
    if not isinstance(items, list):
        raise InvalidInputError(f"{origin}: 'types' must be a list")
    covered = document.get("covered_nations", [])
    if not isinstance(covered, list):
        raise InvalidInputError(f"{origin}: 'covered_nations' must be a list")
    for nation in covered:
        if not isinstance(nation, str) or nation not in ASSIGNED_NATIONS:
            raise InvalidInputError(f"{origin}: {nation_error('covered_nations', nation)}")
    types = tuple(_entry(item, f"{origin}: types[{i}]") for i, item in enumerate(items))
    return types, tuple(covered)


def _entry(item: Any, where: str) -> AircraftType:
    if not isinstance(item, dict):
        raise InvalidInputError(f"{where}: expected an object, got {shown(item)}")
    designation = item.get("designation")
    if isinstance(designation, str):
        where = f"{where} ({shown(designation)})"
    unknown = sorted(item.keys() - _FIELDS)
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown field {shown(unknown[0])}; expected {', '.join(sorted(_FIELDS))}"
        )
    missing = sorted(_REQUIRED - item.keys())
    if missing:
        raise InvalidInputError(f"{where}: missing field {missing[0]!r}")
    fields = dict(item)
    try:
        operators = fields.get("operators", [])
        if not isinstance(operators, list):
            raise InvalidInputError(f"operators must be a list, got {shown(operators)}")
        fields["operators"] = tuple(_operator(o) for o in operators)
        return AircraftType(**fields)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None


def _operator(item: Any) -> AircraftOperator:
    if not isinstance(item, dict) or item.keys() != {"nation", "air_arm"}:
        raise InvalidInputError(
            f'each operator must be {{"nation": ..., "air_arm": ...}}, got {shown(item)}'
        )
    return AircraftOperator(nation=item["nation"], air_arm=item["air_arm"])


@functools.cache
def default_catalogue() -> AircraftCatalogue:
    """
    The catalogue shipped with the library (read once, then cached).

    Its data file, ``incidents/data/aircraft_types.json``, is read as a
    package resource, so it loads from an installed wheel or a zip file as
    well as from a source checkout. Compiled from public reference works; not
    an official list.

    Returns:
        The shipped catalogue.
    """
    resource = importlib.resources.files("incidents") / "data" / "aircraft_types.json"
    return AircraftCatalogue.from_json(
        resource.read_bytes(), origin="incidents/data/aircraft_types.json"
    )
