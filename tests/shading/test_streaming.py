"""Territory path: GeoTIFF tiles in, tiled GeoTIFF out, equal to the in-memory run."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine

from geopotential.io.dsm import RasterWindowReader, read_raster
from geopotential.io.raster import GeoTiffTileSink, write_geotiff
from geopotential.shading.engine import RASTER_NAMES, roof_irradiation_from_dsm, roof_irradiation_tiled, sky_for
from geopotential.shading.parameters import ShadingParameters


def test_streamed_geotiff_equals_in_memory_run(gbg_dir, gbg_weather, tmp_path):
    weather, meta = gbg_weather
    dsm = read_raster(gbg_dir / "DSM_KRbig.tif")
    # the DSM as two files mosaicked on the fly, DEM and canopy as they are
    a, b = tmp_path / "dsm_a.tif", tmp_path / "dsm_b.tif"
    write_geotiff(a, dsm.array[:, :120], dsm.transform, dsm.crs)
    write_geotiff(b, dsm.array[:, 120:], dsm.transform * Affine.translation(120, 0), dsm.crs)
    build = gpd.read_file(gbg_dir / "buildings.shp", encoding="ISO-8859-1")
    build["building_id"] = build["MI_PRINX"].astype("int64").astype(str)
    params = ShadingParameters(tile_size_px=90)
    out = tmp_path / "irradiation.tif"
    with RasterWindowReader([a, b], dem=gbg_dir / "DEM_KRbig.tif", canopy=gbg_dir / "CDSM_KRbig.tif") as reader:
        assert reader.shape == dsm.array.shape
        sky = sky_for(weather, meta, reader.transform, reader.shape, reader.crs, params)
        with GeoTiffTileSink(out, reader.shape, reader.transform, reader.crs, RASTER_NAMES) as sink:
            stats, faces, _ = roof_irradiation_tiled(reader, build, sky, params, sink)
    ref = roof_irradiation_from_dsm(dsm.array, dsm.transform, dsm.crs, build, weather, meta,
                                    params=ShadingParameters(tile_size_px=1000),
                                    dem=read_raster(gbg_dir / "DEM_KRbig.tif").array,
                                    canopy=read_raster(gbg_dir / "CDSM_KRbig.tif").array)
    with rasterio.open(out) as src:
        assert src.profile["tiled"] and src.compression is not None and src.nodata is not None
        assert list(src.descriptions) == list(RASTER_NAMES)
        irr = src.read(1, masked=True).filled(np.nan)
    np.testing.assert_array_equal(irr, ref.irradiation_kwh_m2_yr)
    pd.testing.assert_frame_equal(stats, ref.buildings)
    pd.testing.assert_frame_equal(faces, ref.faces, check_exact=False, rtol=1e-9)
