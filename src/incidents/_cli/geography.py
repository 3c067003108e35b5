"""
``incidents zones``, ``crossings``, ``geojson`` and ``check-claims``: geography on the command line.

The zones a command compares with are those recorded in the ledger (as known
at ``--known-at``), once any is (``incidents zones record-catalogue``,
``incidents zones import``); until then, the shipped catalogue. Each command
says which it used.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from incidents._cli.basic import JSON_HELP
from incidents._cli.common import TIME_HELP, App, open_existing, parse_incident, parse_time
from incidents._cli.output import emit, emit_json, json_text, printable
from incidents._cli.sources import parse_registry_source, source_kind
from incidents._cli.zone_sets import zones_for
from incidents._domain.events import SOURCES_REGISTRY, Event, SourceKind, ZoneDeclared
from incidents._domain.words import stamp
from incidents._domain.zones import Zone, ZoneCatalogue
from incidents._errors import InvalidInputError
from incidents._files import write_file
from incidents._ledger import Ledger

__all__ = ["register"]

_KNOWN_HELP = f"only the zones and facts recorded by then ({TIME_HELP})"
_CATALOGUE_HELP = "use the shipped catalogue, even if the ledger records zones"


def register(group: click.Group) -> None:
    """
    Add the commands of this module.

    Args:
        group: The ``incidents`` group.
    """
    for command in (zones, crossings, geojson, check_claims):
        group.add_command(command)


def _period(zone: Zone) -> str:
    if zone.effective_from is None and zone.effective_until is None:
        return ""
    parts = []
    if zone.effective_from is not None:
        parts.append(f"from {stamp(zone.effective_from)}")
    if zone.effective_until is not None:
        parts.append(f"until {stamp(zone.effective_until)}")
    return " ".join(parts)


def _zone_line(zone: Zone) -> str:
    period = _period(zone)
    return f"{printable(zone.key)}  {printable(zone.describe())}" + (
        f"  {period}" if period else ""
    )


# -- incidents zones ----------------------------------------------------------------------


@click.group(
    "zones",
    short_help="list, show, record and import zones (ADIZs, territorial airspace...)",
    help="Zones: the shipped catalogue (ADIZs with their versions, approximate territorial "
    "airspace) and the zones recorded in the ledger. Once a ledger records zones, the "
    "commands that compare with zones (crossings, check-claims, geojson) use those, as known "
    "at --known-at; until then, the shipped catalogue.",
)
def zones() -> None:
    """Zones."""


@zones.command(
    "list",
    short_help="list the zones",
    help="One line per zone: key, name, kind, nation, whether approximate, and when in "
    "force. The zones recorded in the ledger as known at --known-at (every version), or the "
    "shipped catalogue if it records none (or with --catalogue; no ledger is needed then).",
)
@click.option("--at", "at", metavar="T", help=f"only the zones in force then ({TIME_HELP})")
@click.option("--known-at", metavar="R", help=_KNOWN_HELP)
@click.option("--catalogue", "shipped", is_flag=True, help=_CATALOGUE_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def list_zones(app: App, at: str | None, known_at: str | None, shipped: bool, as_json: bool) -> int:
    """List zones."""
    when = parse_time(at, "--at")
    known = parse_time(known_at, "--known-at")
    if shipped:
        if known is not None:
            raise InvalidInputError("--known-at reads the ledger's zones: not with --catalogue")
        found, said = zones_for(None, None)
    else:
        with open_existing(app.ledger) as ledger:
            found, said = zones_for(ledger, known)
    chosen = list(found) if when is None else found.in_force(when)
    if as_json:
        emit_json([_summary(z) for z in chosen])
        return 0
    emit(f"{len(chosen)} of {said}" + ("" if when is None else f", in force at {stamp(when)}"))
    for zone in chosen:
        emit(_zone_line(zone))
    return 0


def _summary(zone: Zone) -> dict[str, Any]:
    return {
        "key": zone.key,
        "name": zone.name,
        "kind": zone.kind.value,
        "nation": zone.nation,
        "authority": zone.authority,
        "effective_from": zone.effective_from,
        "effective_until": zone.effective_until,
        "approximate": zone.approximate,
        "accuracy_nm": zone.accuracy_nm,
    }


@zones.command(
    "show",
    short_help="show a zone and its provenance",
    help="Everything known of zone KEY: kind, authority, legal source, when in force, the "
    "rule its edges follow, its accuracy and provenance. --json prints it as a GeoJSON "
    "Feature (which `zones import` reads back).",
)
@click.argument("key")
@click.option("--known-at", metavar="R", help=_KNOWN_HELP)
@click.option("--catalogue", "shipped", is_flag=True, help=_CATALOGUE_HELP)
@click.option("--json", "as_json", is_flag=True, help="print the zone as a GeoJSON Feature")
@click.pass_obj
def show_zone(app: App, key: str, known_at: str | None, shipped: bool, as_json: bool) -> int:
    """Show a zone."""
    known = parse_time(known_at, "--known-at")
    if shipped:
        found, _ = zones_for(None, None)
    else:
        with open_existing(app.ledger) as ledger:
            found, _ = zones_for(ledger, known)
    zone = found[key]
    if as_json:
        from incidents._domain.crossings import zone_feature

        emit(json_text(json.dumps(zone_feature(zone), indent=2, ensure_ascii=False)))
        return 0
    west, south, east, north = zone.area().bounds
    rows = [
        ("key", zone.key),
        ("name", zone.name),
        ("kind", zone.kind.value),
        ("authority", zone.authority),
        ("nation", zone.nation or "-"),
        ("legal source", zone.legal_source),
        ("in force", _period(zone) or "no period stated"),
        ("edges", zone.edge_rule.value),
        ("approximate", "yes: never the legal line" if zone.approximate else "no"),
        ("accuracy", zone.accuracy),
        ("error", "-" if zone.accuracy_nm is None else f"{zone.accuracy_nm:g} NM"),
        ("provenance", zone.provenance),
        ("aliases", ", ".join(zone.aliases) or "-"),
        ("excludes", ", ".join(zone.excludes) or "-"),
        ("bounds", f"W {west:.3f}, S {south:.3f}, E {east:.3f}, N {north:.3f}"),
    ]
    for name, value in rows:
        emit(f"{name + ':':14}{printable(value)}")
    return 0


@zones.command(
    "record-catalogue",
    short_help="record the shipped zone catalogue into the ledger",
    help="Record the shipped catalogue into the ledger: its source in the ledger-wide sources "
    "registry, one stream per zone, the versions of a zone (KADIZ before and after "
    "2013-12-15) as a declaration and its amendments. Zones already recorded are left as "
    "they are: running it again adds nothing.",
)
@click.option("--recorder", help="who records (default: $INCIDENTS_RECORDER or your login)")
@click.pass_obj
def record_catalogue(app: App, recorder: str | None) -> int:
    """Record the shipped catalogue."""
    from incidents._domain.zone_history import catalogue_events
    from incidents._domain.zones import zone_catalogue

    with open_existing(app.ledger, recorder=recorder) as ledger:
        added = _record_new(ledger, catalogue_events(zone_catalogue()))
    if added:
        emit(f"recorded {added} events: the shipped zone catalogue")
    else:
        emit("the shipped zone catalogue was already recorded: nothing added")
    return 0


def _record_new(ledger: Ledger, events: list[Event]) -> int:
    """Record the events of streams (and registry sources) the ledger does not hold yet."""
    streams = set(ledger.store.incident_ids())
    registered = (
        {r.event_id for r in ledger.events(SOURCES_REGISTRY)}
        if SOURCES_REGISTRY in streams
        else set()
    )
    new = [
        e
        for e in events
        if (
            e.event_id not in registered
            if e.incident_id == SOURCES_REGISTRY
            else e.incident_id not in streams
        )
    ]
    if not new:
        return 0
    return len(ledger.record(*new))


@zones.command(
    "import",
    short_help="record the zones of a GeoJSON file into the ledger",
    help="Record the zones of FILE, a GeoJSON FeatureCollection whose features carry the zone "
    "metadata as properties (key, name, kind, authority, legal_source, edge_rule, accuracy, "
    "approximate, provenance; optionally nation, effective_from, effective_until, "
    "accuracy_nm, aliases, excludes), all or nothing, each zone a stream of its own. They "
    "cite --source (a registry source's id), or a registry source registered for the file "
    "from --publisher, with the file's SHA-256. Zones whose stream is recorded already are "
    "left as they are.",
)
@click.argument("file")
@click.option("--source", metavar="ID", help="the registry source they cite (id or prefix)")
@click.option("--publisher", help="register a source for the file, published by this")
@click.option(
    "--kind",
    default=SourceKind.GOVERNMENT_DATASET.value,
    show_default=True,
    help="with --publisher: the kind of source",
)
@click.option("--recorder", help="who records (default: $INCIDENTS_RECORDER or your login)")
@click.pass_obj
def import_zones(
    app: App,
    file: str,
    source: str | None,
    publisher: str | None,
    kind: str,
    recorder: str | None,
) -> int:
    """Record the zones of a GeoJSON file."""
    from incidents._domain.events import SourceRegistered
    from incidents._domain.zone_history import catalogue_events
    from incidents._domain.zones import zones_from_geojson

    if (source is None) == (publisher is None):
        raise InvalidInputError("give --source ID or --publisher NAME (one of them)")
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {file}: {exc.strerror or exc}") from None
    found = zones_from_geojson(data)
    if not found:
        raise InvalidInputError(f"{file} holds no zone")
    ZoneCatalogue(found)  # refuses two zones of one key
    with open_existing(app.ledger, recorder=recorder) as ledger:
        if source is not None:
            source_id = parse_registry_source(ledger, source)
            events = catalogue_events(found, source_id=source_id)[1:]
        else:
            assert publisher is not None
            registered = SourceRegistered(
                incident_id=SOURCES_REGISTRY,
                kind=source_kind(kind),
                publisher=publisher,
                title=Path(file).name,
                content_sha256=hashlib.sha256(data).hexdigest(),
            )
            source_id = registered.source_id
            events = [registered, *catalogue_events(found, source_id=source_id)[1:]]
        zone_events = [e for e in events if e.incident_id != SOURCES_REGISTRY]
        streams = set(ledger.store.incident_ids())
        new_zones = [e for e in zone_events if e.incident_id not in streams]
        if not new_zones:
            emit(f"every zone of {printable(file)} is recorded already: nothing added")
            return 0
        wanted = [e for e in events if e.incident_id == SOURCES_REGISTRY] + new_zones
        batch = ledger.record(*wanted)
    declared = sum(isinstance(r.event, ZoneDeclared) for r in batch)
    emit(
        f"recorded {len(batch)} events: {declared} zone{'s' * (declared != 1)} of "
        f"{printable(file)}, citing source {source_id}"
    )
    return 0


# -- an incident against the zones --------------------------------------------------------


def _incident_and_zones(
    app: App, incident: str, known_at: str | None, shipped: bool
) -> tuple[Any, ZoneCatalogue, str]:
    known = parse_time(known_at, "--known-at")
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = ledger.incident(incident_id, known_at=known)
        zone_set, said = zones_for(ledger, known, catalogue=shipped)
    return found, zone_set, said


@click.command(
    "crossings",
    short_help="where an incident's tracks entered and left zones",
    help="For each track of INCIDENT (as known at --known-at): its length, every entry and "
    "exit of a zone in force at the time, with when and where, the time inside each zone, "
    "and the closest approaches within 50 NM, with the zone's stated error as the margin.",
)
@click.argument("incident")
@click.option("--known-at", metavar="R", help=_KNOWN_HELP)
@click.option("--catalogue", "shipped", is_flag=True, help=_CATALOGUE_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def crossings(app: App, incident: str, known_at: str | None, shipped: bool, as_json: bool) -> int:
    """Print an incident's zone crossings."""
    from incidents._domain.crossings import track_crossings

    found, zone_set, said = _incident_and_zones(app, incident, known_at, shipped)
    analyses = track_crossings(found, zone_set)
    tracks = {t.id: t for t in found.tracks}
    if as_json:
        emit_json(
            [
                {"track": str(track_id), "label": tracks[track_id].label, "analysis": analysis}
                for track_id, analysis in analyses.items()
            ]
        )
        return 0
    emit(f"{printable(found.title)}: tracks against {said}")
    if not analyses:
        emit("no track of two fixes or more")
    for track_id, analysis in analyses.items():
        label = tracks[track_id].label
        name = f"{printable(label)} ({track_id})" if label else str(track_id)
        emit(f"track {name}: {analysis.length_nm:.1f} NM")
        for crossing in analysis.crossings:
            way = "entered" if crossing.entering else "left"
            emit(
                f"  {way} {printable(crossing.zone)} at {_instant(crossing.at)}, "
                f"lat {crossing.lat:.4f}, lon {crossing.lon:.4f}"
            )
        for key in dict.fromkeys(v.zone for v in analysis.visits):
            emit(f"  inside {printable(key)} for {analysis.time_inside(key)}")
        near = sorted(
            (a for a in analysis.approaches.values() if 0 < a.distance_nm <= 50),
            key=lambda a: a.distance_nm,
        )
        for approach in near:
            margin = (
                "no error stated"
                if approach.margin_nm is None
                else f"the line's stated error: {approach.margin_nm:g} NM"
            )
            emit(
                f"  closest to {printable(approach.zone)}: {approach.distance_nm:.1f} NM at "
                f"{_instant(approach.at)} ({margin})"
            )
        if not analysis.crossings and not near:
            emit("  no zone entered, none within 50 NM")
    return 0


def _instant(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") + "Z"


@click.command(
    "geojson",
    short_help="write an incident's geography as GeoJSON",
    help="Write INCIDENT's geography (as known at --known-at) to FILE as an RFC 7946 "
    "FeatureCollection: its tracks along the geodesics, reported areas, located facts, the "
    "entries and exits of the zones its tracks entered, and those zones (and the zones given "
    "with --zone). Shapes are cut at 180°; GeoPandas and shapely read it as it is.",
)
@click.argument("incident")
@click.option("-o", "--output", "out", required=True, metavar="FILE", help="where to write it")
@click.option("--zone", "keys", multiple=True, metavar="KEY", help="a zone to include (repeatable)")
@click.option("--known-at", metavar="R", help=_KNOWN_HELP)
@click.option("--catalogue", "shipped", is_flag=True, help=_CATALOGUE_HELP)
@click.pass_obj
def geojson(
    app: App,
    incident: str,
    out: str,
    keys: tuple[str, ...],
    known_at: str | None,
    shipped: bool,
) -> int:
    """Write an incident's geography as GeoJSON."""
    from incidents._domain.crossings import incident_geojson, track_crossings

    found, zone_set, _ = _incident_and_zones(app, incident, known_at, shipped)
    wanted = [zone_set[k] for k in keys]  # unknown keys refused before anything is written
    entered = {
        v.zone for analysis in track_crossings(found, zone_set).values() for v in analysis.visits
    }
    chosen = list({z.key: z for z in [*(zone_set[k] for k in sorted(entered)), *wanted]}.values())
    data = incident_geojson(found, chosen)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    write_file(out, text.encode("utf-8"), what="GeoJSON")
    emit(
        f"wrote {len(data['features'])} features to {printable(out)} "
        f"({len(chosen)} zone{'s' * (len(chosen) != 1)})"
    )
    return 0


@click.command(
    "check-claims",
    short_help="compare an incident's claims about airspace and zones with its tracks",
    help="Each claim of INCIDENT that airspace or a zone was, or was not, entered, compared "
    "with the recorded tracks and the zones: entered, not entered, undetermined (within the "
    "zone's stated error of its edge) or no track, and whether that agrees with the claim.",
)
@click.argument("incident")
@click.option("--known-at", metavar="R", help=_KNOWN_HELP)
@click.option("--catalogue", "shipped", is_flag=True, help=_CATALOGUE_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def check_claims(
    app: App, incident: str, known_at: str | None, shipped: bool, as_json: bool
) -> int:
    """Compare an incident's claims with its geometry."""
    from incidents._domain.crossings import claims_against_geometry

    found, zone_set, said = _incident_and_zones(app, incident, known_at, shipped)
    checks = claims_against_geometry(found, zone_set)
    if as_json:
        emit_json(list(checks))
        return 0
    emit(f"{printable(found.title)}: claims against the tracks and {said}")
    if not checks:
        emit("no claim about airspace or a zone")
    agreement = {True: "agrees", False: "DISAGREES", None: "cannot say"}
    for check in checks:
        emit(f"{printable(check.claim)}: {check.geometry}, {agreement[check.agrees]}")
        emit(f"  {printable(check.detail)}")
    return 0
