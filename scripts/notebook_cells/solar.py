"""Cells of notebooks/02_solar_in_depth.ipynb."""

from ._common import DEMO_INPUTS, SETUP

CELLS = [
    ("md", """
# Rooftop solar PV in depth

The solar stage, step by step, with the library's pure functions on the demo territory's inputs:

1. the weather year (hourly GHI/DNI/DHI [W/m2], air temperature [degC], wind [m/s]);
2. the **orientation yield table**: one pvlib simulation per tilt x azimuth, not per building;
3. **roof faces** derived from footprints (no LiDAR) and the **usable-area rules**;
4. **shading** and roof planes from the DSM (SEBE-like sky-patch sweep);
5. **sensitivity** of the territory potential to module power density and system losses.

The demo data are synthetic; the physics and the parameters (with their sources) are the real ones.
"""),
    ("code", SETUP),
    ("code", DEMO_INPUTS),
    ("md", """
## 1. Weather

`read_weather` reads PVGIS TMY (CSV/JSON), EPW, NetCDF, UMEP met files or the canonical CSV into
one table on a UTC index. Without any file, `clearsky_weather` builds an approximate year
(Ineichen clear sky x monthly clear-sky index), flagged `approximate` in every output.
"""),
    ("code", """
from geopotential.io.weather import clearsky_weather, read_weather

weather, meta = read_weather(INPUTS / "weather.csv")
print({k: meta[k] for k in ("source", "latitude", "longitude", "altitude", "approximate")})
weather.head()
"""),
    ("code", """
approx, approx_meta = clearsky_weather(meta["latitude"], meta["longitude"], meta["altitude"])
print("clear-sky default:", approx_meta["source"][:90], "...")

def monthly_kwh_m2(w):
    \"\"\"Monthly sums of hourly irradiance [W/m2 x 1 h = Wh/m2] -> [kWh/m2/month].\"\"\"
    return w[["ghi", "dni", "dhi"]].groupby(w.index.month).sum() / 1000.0

m = monthly_kwh_m2(weather)
m_cs = monthly_kwh_m2(approx)
fig, ax = plt.subplots(figsize=(10, 4))
x = np.arange(1, 13)
ax.bar(x - 0.2, m["ghi"], 0.4, label=f"demo weather file (GHI {m['ghi'].sum():,.0f} kWh/m2/yr)")
ax.bar(x + 0.2, m_cs["ghi"], 0.4, label=f"clear-sky default (GHI {m_cs['ghi'].sum():,.0f} kWh/m2/yr)")
ax.set(xticks=x, xlabel="month", ylabel="global horizontal irradiation [kWh/m2/month]")
ax.legend()
plt.show()
"""),
    ("md", """
The clear-sky default scales by the clear-sky index of the nearest site of
`data/solar_clearsky_index.csv` (its source is printed above); far from that site it is only a
fallback. Use a PVGIS TMY of the territory for real studies.

## 2. Orientation yield table

`orientation_yield_table` simulates a 1 kWp system for every tilt x azimuth of a grid
(pvlib: Perez transposition, physical IAM, Faiman temperature, PVWatts DC with the system
losses). Every roof face then reads its yield by bilinear interpolation (`interpolate_yield`).
Azimuths are degrees clockwise from north (180 = south).
"""),
    ("code", """
from geopotential.solar import SolarParameters, interpolate_yield, orientation_yield_table

params = SolarParameters()
table = orientation_yield_table(weather, meta["latitude"], meta["longitude"], meta["altitude"], params)
print({k: round(v, 1) if isinstance(v, float) else v for k, v in table.attrs.items()
       if k.startswith(("opt_", "ghi", "system", "transposition"))})
table
"""),
    ("code", """
sy = table["specific_yield_kwh_kwp_yr"]
rel = 100.0 * sy / table.attrs["opt_specific_yield_kwh_kwp_yr"]
fig, ax = plt.subplots(figsize=(11, 4.5))
mesh = ax.pcolormesh(sy["azimuth_deg"], sy["tilt_deg"], sy.values, cmap="magma", shading="nearest")
cs = ax.contour(rel["azimuth_deg"], rel["tilt_deg"], rel.values, levels=[70, 80, 90, 95], colors="white")
ax.clabel(cs, fmt="%d %%")
ax.plot(table.attrs["opt_azimuth_deg"], table.attrs["opt_tilt_deg"], "c*", markersize=14, label="optimum")
fig.colorbar(mesh, ax=ax, label="specific yield [kWh/kWp/yr] (AC)")
ax.set(xlabel="azimuth [deg from north, 180 = south]", ylabel="tilt [deg]",
       title="Yield of 1 kWp by orientation (contours: % of the optimum)")
ax.legend(loc="upper right")
plt.show()
"""),
    ("code", """
probe = pd.DataFrame({"tilt_deg": [0, 10, 35, 35, 35, 90, 90], "azimuth_deg": [180, 180, 180, 90, 0, 180, 270]})
vals = interpolate_yield(table, probe["tilt_deg"], probe["azimuth_deg"])
probe.assign(poa_kwh_m2_yr=vals["poa_kwh_m2_yr"], specific_yield_kwh_kwp_yr=vals["specific_yield_kwh_kwp_yr"]).round(0)
"""),
    ("md", """
## 3. Roof faces from footprints and the usable-area rules

Without LiDAR, `roof_faces_from_footprints` turns each footprint into roof faces: flat (racked
modules) or pitched (two faces along the main axis, ridge across party walls for terraces), with
the default pitch of the parameters. `apply_rules` then gives every face its module orientation,
usable module area (edge setback x coverage), irradiation and yield, or an `exclusion_reason`.
"""),
    ("code", """
from geopotential.solar import FACE_REASONS, apply_rules, roof_faces_from_footprints

buildings = data.buildings
faces = roof_faces_from_footprints(buildings, params)
print(f"{len(buildings):,} buildings -> {len(faces):,} faces")
display(faces.groupby("roof_shape").agg(faces=("face_id", "size"), area_m2=("area_m2", "sum")).round(0))
faces.head()
"""),
    ("code", """
ruled = apply_rules(faces, table, params)
print("rules, in the order they are tested:", FACE_REASONS)
summary = ruled.assign(reason=ruled["exclusion_reason"].replace("", "(usable)")).groupby("reason").agg(
    faces=("face_id", "size"), roof_area_m2=("area_m2", "sum"), usable_area_m2=("usable_area_m2", "sum"))
display(summary.round(0))
usable = ruled[ruled["usable"]]
print(f"usable module area {usable['usable_area_m2'].sum():,.0f} m2 of {ruled['area_m2'].sum():,.0f} m2 of roof "
      f"({100 * usable['usable_area_m2'].sum() / ruled['area_m2'].sum():.0f} %)")
"""),
    ("code", """
fig = plt.figure(figsize=(12, 4.5))
ax = fig.add_subplot(1, 2, 1, projection="polar")
ax.set_theta_zero_location("N")
ax.set_theta_direction(-1)
bins = np.radians(np.arange(0, 361, 15))
for ok, colour, label in ((True, "tab:green", "usable"), (False, "tab:red", "excluded")):
    sel = ruled[ruled["usable"] == ok]
    ax.hist(np.radians(sel["azimuth_deg"] % 360), bins=bins, weights=sel["area_m2"], color=colour, alpha=0.6, label=label)
ax.set_title("roof area by face azimuth [m2]")
ax.legend(loc="lower left", fontsize=8)
ax2 = fig.add_subplot(1, 2, 2)
ax2.hist(usable["specific_yield_kwh_kwp_yr"], bins=40, color="tab:orange")
ax2.set(xlabel="specific yield of usable faces [kWh/kWp/yr]", ylabel="faces")
plt.show()
"""),
    ("md", """
The rules are parameters with a sourced default (`data/solar_parameters.csv`). How much module
area [m2] each setting leaves, and how many faces each rule excludes (the first failing rule is
recorded). Note that without the north exclusion the north faces of the footprint model still fall
under `min_irradiation_kwh_m2_yr`: the rules overlap, as they should.
"""),
    ("code", """
rows = []
for label, change in [("defaults", {}),
                      ("no north exclusion", {"north_exclusion_half_width_deg": 0.0}),
                      ("north exclusion +/-90 deg", {"north_exclusion_half_width_deg": 90.0}),
                      ("min face area 20 m2", {"min_face_area_m2": 20.0}),
                      ("coverage ratio 0.5", {"coverage_ratio": 0.5})]:
    p = params.model_copy(update=change)
    r = apply_rules(faces, table, p)
    rows.append({"rules": label, "usable_faces": int(r["usable"].sum()),
                 "usable_area_m2": r.loc[r["usable"], "usable_area_m2"].sum(),
                 **r.loc[~r["usable"], "exclusion_reason"].value_counts().to_dict()})
pd.DataFrame(rows).set_index("rules").fillna(0).round(0)
"""),
    ("md", """
## 4. Shading and roof planes from the DSM

`geopotential.shading.engine.roof_irradiation_from_dsm` sweeps the DSM (and the tree canopy,
which transmits a small share of light) for each of the 145 Tregenza sky patches, giving the
annual irradiation of every pixel's tilted surface with and without shadows [kWh/m2/yr], then
segments roof planes per building. We run it on a 300 m x 300 m window of the demo DSM (plus a
margin so shadows from outside the window are seen; the full territory is what the pipeline
tiles and runs in parallel).
"""),
    ("code", """
import shapely

from geopotential.io.raster_window import read_raster_window
from geopotential.shading import ShadingParameters
from geopotential.shading.engine import roof_irradiation_from_dsm

centre = buildings.geometry.union_all().centroid
window = (centre.x - 150, centre.y - 150, centre.x + 150, centre.y + 150)
dsm = read_raster_window([INPUTS / "dsm.tif"], window, margin_m=100)
dem = read_raster_window([INPUTS / "dem.tif"], window, like=dsm)
canopy = read_raster_window([INPUTS / "canopy.tif"], window, like=dsm)
inside = buildings[buildings.geometry.within(shapely.box(*window))]
print(f"DSM window {dsm.array.shape} px at {dsm.res:.1f} m; {len(inside)} buildings inside")

shading_params = ShadingParameters()
shaded = roof_irradiation_from_dsm(dsm.array, dsm.transform, dsm.crs, inside, weather, meta, shading_params,
                                   dem=dem.array, canopy=canopy.array)
print(f"open horizontal plane: {shaded.horizontal_unshaded_kwh_m2_yr:,.0f} kWh/m2/yr")
shaded.buildings.describe().T[["mean", "min", "50%", "max"]].round(1)
"""),
    ("code", """
extent = (dsm.transform.c, dsm.transform.c + dsm.array.shape[1] * dsm.res,
          dsm.transform.f - dsm.array.shape[0] * dsm.res, dsm.transform.f)
loss = 100.0 * (1.0 - shaded.irradiation_kwh_m2_yr / np.where(shaded.unshaded_kwh_m2_yr > 0, shaded.unshaded_kwh_m2_yr, np.nan))
fig, axes = plt.subplots(1, 3, figsize=(16, 5))
for ax, arr, cmap, label in ((axes[0], dsm.array, "terrain", "DSM height [m]"),
                             (axes[1], shaded.irradiation_kwh_m2_yr, "inferno", "irradiation with shading [kWh/m2/yr]"),
                             (axes[2], loss, "Blues", "shading loss [%]")):
    im = ax.imshow(arr, extent=extent, cmap=cmap, vmin=None if ax is not axes[2] else 0, vmax=None if ax is not axes[2] else 60)
    inside.boundary.plot(ax=ax, color="black", linewidth=0.3)
    ax.set(xlim=window[0::2], ylim=window[1::2], title=label)
    ax.set_axis_off()
    fig.colorbar(im, ax=ax, shrink=0.7)
plt.show()
"""),
    ("md", """
The DSM faces (measured tilt, azimuth, area and shaded irradiation) replace the footprint model
in `solar_potential`. Side by side on the same buildings [MWh/yr]:
"""),
    ("code", """
from geopotential.solar import solar_potential

pv_dsm, faces_dsm = solar_potential(inside, weather, meta, params, faces=shaded.faces, table=table)
pv_fp, faces_fp = solar_potential(inside, weather, meta, params, table=table)
compare = pd.DataFrame({
    "footprint model": [pv_fp["usable_area_m2"].sum(), pv_fp["pv_capacity_kwp"].sum(), pv_fp["pv_energy_kwh_yr"].sum() / 1000],
    "DSM + shading": [pv_dsm["usable_area_m2"].sum(), pv_dsm["pv_capacity_kwp"].sum(), pv_dsm["pv_energy_kwh_yr"].sum() / 1000],
}, index=["usable_area_m2", "pv_capacity_kwp", "pv_energy_mwh_yr"])
display(compare.round(1))
fig, ax = plt.subplots(figsize=(5, 5))
m = pv_fp.merge(pv_dsm[["building_id", "pv_energy_kwh_yr"]], on="building_id", suffixes=("_fp", "_dsm"))
ax.scatter(m["pv_energy_kwh_yr_fp"] / 1000, m["pv_energy_kwh_yr_dsm"] / 1000, s=8)
lim = max(m["pv_energy_kwh_yr_fp"].max(), m["pv_energy_kwh_yr_dsm"].max()) / 1000
ax.plot([0, lim], [0, lim], "k--", linewidth=0.8)
ax.set(xlabel="footprint model [MWh/yr]", ylabel="DSM + shading [MWh/yr]", title="PV energy per building")
plt.show()
"""),
    ("md", """
## 5. Sensitivity: module power density and system losses

Capacity scales with the module power density [kWp/m2 of modules]; energy with the yield, which
depends on the system losses [%] (cables, soiling, mismatch and, PVGIS convention, the inverter).
A new loss value needs a new orientation table; the footprint model keeps this quick on all
buildings of the demo. Territory totals in MWp and GWh/yr:
"""),
    ("code", """
densities = [0.17, 0.20, 0.23]     # kWp/m2: older modules, the default, recent high-efficiency modules
losses = [10.0, 14.0, 20.0]        # %: optimistic, the PVGIS default, pessimistic
rows = []
for loss in losses:
    p_loss = params.model_copy(update={"system_losses_pct": loss})
    t = orientation_yield_table(weather, meta["latitude"], meta["longitude"], meta["altitude"], p_loss)
    for density in densities:
        p = p_loss.model_copy(update={"module_power_density_kwp_m2": density})
        bpv, _ = solar_potential(buildings, weather, meta, p, table=t)
        rows.append({"system_losses_pct": loss, "module_power_density_kwp_m2": density,
                     "pv_capacity_mwp": bpv["pv_capacity_kwp"].sum() / 1000,
                     "pv_energy_gwh_yr": bpv["pv_energy_kwh_yr"].sum() / 1e6})
sens = pd.DataFrame(rows)
sens.pivot(index="module_power_density_kwp_m2", columns="system_losses_pct", values="pv_energy_gwh_yr").round(2)
"""),
    ("code", """
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for loss, grp in sens.groupby("system_losses_pct"):
    axes[0].plot(grp["module_power_density_kwp_m2"], grp["pv_energy_gwh_yr"], "o-", label=f"losses {loss:.0f} %")
axes[0].set(xlabel="module power density [kWp/m2]", ylabel="territory PV energy [GWh/yr]")
axes[0].legend()
base = sens[(sens["system_losses_pct"] == 14.0) & (sens["module_power_density_kwp_m2"] == 0.20)]["pv_energy_gwh_yr"].iloc[0]
axes[1].bar([f"{d:.2f} / {l:.0f}%" for d, l in zip(sens["module_power_density_kwp_m2"], sens["system_losses_pct"])],
            100 * (sens["pv_energy_gwh_yr"] / base - 1), color="tab:purple")
axes[1].set(ylabel="change vs defaults [%]", xlabel="density [kWp/m2] / losses")
axes[1].tick_params(axis="x", rotation=60)
plt.show()
"""),
    ("md", """
Energy is proportional to the density (the usable area does not change) and falls about linearly
with the losses (yield x (1 - losses)). The capacity does not depend on the losses. On real
roofs, the DSM engine's shading matters as much: see section 4.
"""),
]
