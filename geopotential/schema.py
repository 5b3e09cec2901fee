"""Canonical field names of the inputs and outputs.

Readers map source fields (BD TOPO ``cleabs``, RPG ``ID_PARCEL``, INSEE ``code``...) onto
these names; compute functions only know these. Output columns carry their unit in their
name; the full field dictionary with descriptions and sources is ``data/field_dictionary.csv``.
"""

from __future__ import annotations

# --- inputs -------------------------------------------------------------------------
#: Buildings: footprint polygons in the working CRS.
BUILDINGS = {
    "building_id": "source identifier kept (BD TOPO cleabs, OSM id, cadastre id)",
    "commune_insee": "INSEE code of the commune holding the building",
    "height_m": "building height above ground [m] (BD TOPO hauteur)",
    "n_floors": "number of storeys (BD TOPO nombre_d_etages, OSM building:levels)",
    "roof_shape": "roof shape: flat, gabled, hipped, shed, unknown",
    "usage": "main use (BD TOPO usage_1)",
    "name": "name of the building where known (free text from the source)",
}
BUILDINGS_REQUIRED = ("building_id",)

#: Agricultural parcels (RPG).
RPG_PARCELS = {
    "parcel_id": "RPG ID_PARCEL kept",
    "area_ha": "parcel area from SURF_PARC [ha]",
    "code_cultu": "RPG crop code (CODE_CULTU)",
    "code_group": "RPG crop group (CODE_GROUP)",
    "culture_d1": "first catch / derived crop (CULTURE_D1)",
    "culture_d2": "second catch / derived crop (CULTURE_D2)",
    "commune_insee": "INSEE code of the commune holding the parcel centroid",
}
RPG_REQUIRED = ("parcel_id", "code_cultu")

#: Communes.
COMMUNES = {
    "commune_insee": "INSEE code (5 characters)",
    "commune_name": "official name",
    "population": "legal population [inhabitants]",
}
COMMUNES_REQUIRED = ("commune_insee",)

#: Cadastral parcels (Etalab).
CADASTRE_PARCELS = {
    "cadastre_parcel_id": "cadastre idu (14 characters)",
    "commune_insee": "INSEE code",
}

#: Weather time series: canonical column names, as pvlib uses them.
WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
