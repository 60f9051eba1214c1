"""Great-circle distance and bounding boxes, in plain math (no per-pair geodesic cost).

Haversine is within 0.6% of the geodesic distance and ~150x faster than geopy's geodesic:
right for ranking and filtering. Show geopy's geodesic where a figure is displayed exactly.
"""

import math

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle: a cheap SQL pre-filter.

    The circle's widest longitude span is asin(sin(r/R) / cos(lat)), not r / (R cos(lat)):
    the naive box is too narrow for wide radii and would drop agents inside the circle.
    """
    angular = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angular)
    cos_lat = math.cos(math.radians(lat))
    if angular >= math.pi / 2 or cos_lat <= math.sin(angular):
        dlon = 180.0  # the circle reaches a pole: every longitude
    else:
        dlon = math.degrees(math.asin(math.sin(angular) / cos_lat))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
