"""Cells of notebooks/01_quickstart.ipynb."""

from ._common import SETUP

CELLS = [
    ("md", """
# geopotential: quick start

This notebook runs the whole pipeline from Python on the **synthetic demo territory** (four
communes of a made-up piece of Amiens, about 3,000 buildings, farmland, livestock, a 1 m DSM
and a weather year), then looks at the output layers in tables, plots and an interactive map.

Everything here is synthetic: the numbers show how the tool works, not Amiens' real potential.
On your own territory, replace `gp.run_demo(...)` by `gp.run(gp.load_config("my-territory.yaml"))`.
"""),
    ("code", SETUP),
    ("md", """
## 1. Run the demo

`gp.run_demo(out_dir)` writes the demo inputs to `out_dir/demo-inputs/` and runs every stage
(solar with DSM shading, biogas and digester siting, aggregation to cadastral parcels and
communes, energy balance and 2050 scenario, GeoPackage, map and report) into `out_dir/demo/`.
It takes about a minute on a laptop. The returned `RunResult` shows its headline totals.
"""),
    ("code", """
result = gp.run_demo(OUT, show_progress=False)
result
"""),
    ("code", """
print(result.summary_text())
pd.Series(result.timings_s, name="wall time [s]").to_frame()
"""),
    ("md", """
## 2. The layers

`result.layers` is a dict of GeoDataFrames (working CRS EPSG:2154, metres) and DataFrames.
Every column carries its unit in its name (`_m2`, `_kwp`, `_kwh_yr`, `_mwh_pcs_yr`...), and
every building or parcel left out of the potential says why in `exclusion_reason`
(empty string when it counts).
"""),
    ("code", """
pd.DataFrame(
    [(name, type(df).__name__, len(df), df.shape[1], str(getattr(df, "crs", "") or ""))
     for name, df in result.layers.items() if df is not None],
    columns=["layer", "type", "rows", "columns", "crs"],
)
"""),
    ("code", """
buildings = result.layers["buildings_pv"]
buildings[["building_id", "commune_insee", "roof_area_m2", "usable_area_m2", "pv_capacity_kwp",
           "pv_energy_kwh_yr", "specific_yield_kwh_kwp_yr", "shading_loss_pct", "pv_class_label",
           "exclusion_reason"]].head(8)
"""),
    ("md", """
Why are some buildings without potential, and how are the others classed? `pv_class` compares
each building's specific yield [kWh/kWp/yr] with the territory's best orientation.
"""),
    ("code", """
display(buildings["exclusion_reason"].replace("", "(has potential)").value_counts().to_frame("buildings"))
buildings.groupby("pv_class_label")[["pv_capacity_kwp", "pv_energy_kwh_yr"]].sum().assign(
    n_buildings=buildings.groupby("pv_class_label").size())
"""),
    ("md", """
The **commune summary** carries PV, biogas and the energy balance per commune (one row per INSEE
code). Sums are conserved: the buildings add up to the communes, the communes to the territory.
"""),
    ("code", """
communes = result.layers["communes_summary"]
cols = ["commune_insee", "commune_name", "population", "pv_capacity_kwp", "pv_energy_mwh_yr",
        "biogas_energy_net_mwh_pcs_yr", "consumption_total_mwh_pcs_yr", "autonomy_ratio_potential"]
display(communes[cols])

pv_buildings_mwh = buildings["pv_energy_kwh_yr"].sum() / 1000.0
pv_communes_mwh = communes["pv_energy_mwh_yr"].sum()
print(f"PV energy: buildings {pv_buildings_mwh:,.1f} MWh/yr = communes {pv_communes_mwh:,.1f} MWh/yr "
      f"= headline {result.totals['PV energy [MWh/yr]']:,.1f} MWh/yr")
assert np.isclose(pv_buildings_mwh, pv_communes_mwh, rtol=1e-9)
"""),
    ("code", """
parcels = result.layers["parcels_biogas"]
(parcels.groupby("resource")[["area_ha", "energy_gross_mwh_pcs_yr", "energy_net_mwh_pcs_yr"]].sum()
 .sort_values("energy_net_mwh_pcs_yr", ascending=False).round(1))
"""),
    ("md", """
## 3. Static maps with matplotlib

Specific yield of each building [kWh/kWp/yr] (buildings without potential in grey), and the
methanisation potential of the agricultural parcels per hectare [MWh PCS/ha/yr, net level].
"""),
    ("code", """
# The run imported the report's figure module, which selects matplotlib's file-only "Agg"
# backend; switch the notebook back to inline figures.
%matplotlib inline

fig, axes = plt.subplots(1, 2, figsize=(14, 6))
ax = axes[0]
excluded = buildings["exclusion_reason"] != ""
buildings[excluded].plot(ax=ax, color="lightgrey")
buildings[~excluded].plot(ax=ax, column="specific_yield_kwh_kwp_yr", cmap="viridis", legend=True,
                          legend_kwds={"label": "specific yield [kWh/kWp/yr]", "shrink": 0.7})
ax.set_title("Rooftop PV: specific yield per building")
ax.set_axis_off()

ax = axes[1]
p = parcels.assign(net_mwh_pcs_ha=parcels["energy_net_mwh_pcs_yr"] / parcels["area_ha"])
communes.boundary.plot(ax=ax, color="black", linewidth=0.8)
p.plot(ax=ax, column="net_mwh_pcs_ha", cmap="YlGn", legend=True,
       legend_kwds={"label": "net potential [MWh PCS/ha/yr]", "shrink": 0.7})
sites = result.layers.get("digester_sites")
if sites is not None and len(sites):
    sites.plot(ax=ax, color="red", markersize=60, marker="*", label="proposed digester")
    ax.legend(loc="lower left")
ax.set_title("Methanisation: parcels and digester sites")
ax.set_axis_off()
plt.show()
"""),
    ("code", """
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
with_pv = buildings[~excluded]
axes[0].hist(with_pv["pv_capacity_kwp"], bins=50, color="tab:orange")
axes[0].set(xlabel="PV capacity per building [kWp]", ylabel="buildings", yscale="log")
axes[1].hist(with_pv["shading_loss_pct"], bins=40, color="tab:blue")
axes[1].set(xlabel="shading loss [%] (DSM, neighbours and trees)", ylabel="buildings")
plt.show()
"""),
    ("md", """
## 4. Interactive maps

`result.explore(layer)` draws one layer on a folium map with the planners' styling (legend with
units, escaped tooltips and popups), in WGS84. Click a building or a commune for its attributes.
"""),
    ("code", """
result.explore("buildings_pv")
"""),
    ("code", """
result.explore("communes_summary")
"""),
    ("md", """
With `column=`, any layer is drawn in graduated classes of a numeric column, here the net
methanisation potential of each agricultural parcel [MWh PCS/yr]:
"""),
    ("code", """
result.explore("parcels_biogas", column="energy_net_mwh_pcs_yr")
"""),
    ("md", """
Any GeoDataFrame of your own, e.g. a selection, goes through
`geopotential.report.notebook.explore(frame, name)`: here the 50 largest PV roofs of the demo.
"""),
    ("code", """
from geopotential.report.notebook import explore

explore(buildings.nlargest(50, "pv_capacity_kwp"), "buildings_pv", meta=result.meta)
"""),
    ("md", """
## 5. The files of the run

The run folder holds the GeoPackage (open it in QGIS: the layers come styled), the planners'
`map.html` and `report.html`, `summary.csv` and `run.json` (exact config, versions, input
fingerprints). Every layer reads back with geopandas, and the `field_dictionary` table gives
the unit and meaning of every column.
"""),
    ("code", """
import geopandas as gpd
import pyogrio

print(sorted(p.name for p in result.run_dir.iterdir()))
display(pd.DataFrame(pyogrio.list_layers(result.gpkg), columns=["layer", "geometry"]))
fields = gpd.read_file(result.gpkg, layer="field_dictionary")
fields.head(12)
"""),
    ("code", """
again = gpd.read_file(result.gpkg, layer="buildings_pv")
assert len(again) == len(buildings)
print(f"{len(again):,} buildings read back; total {again['pv_capacity_kwp'].sum() / 1000:,.2f} MWp")
"""),
]
