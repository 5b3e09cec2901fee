"""Cells of notebooks/03_biogas_in_depth.ipynb."""

from ._common import DEMO_INPUTS, SETUP

CELLS = [
    ("md", """
# Methanisation (biogas / biomethane) in depth

The methanisation stage with the library's pure functions on the demo territory's inputs
(RPG-like parcels, livestock heads per commune, population for biowaste):

1. the **coefficients** (methane potential per tonne, crop yields, manure per head) with their
   low/high bands and sources;
2. the **potential levels** of ADEME/Solagro 2013: gross -> available (after competing uses) ->
   net -> mobilisable in 2030 and 2050;
3. **scenarios**: the mobilisation rates per resource family, and a scenario of your own;
4. **digester siting** and its sensitivity to the collection radius.

Units: tonnes of fresh matter [t FM/yr], normal cubic metres of methane [Nm3 CH4/yr, 0 degC,
1013.25 mbar], energy in MWh on the higher heating value [MWh PCS/yr] (PCI also given).
The demo data are synthetic; the coefficients are the real, sourced ones.
"""),
    ("code", SETUP),
    ("code", DEMO_INPUTS),
    ("md", """
## 1. Coefficients with their bands

Every coefficient lives in a table of `data/` with a unit and a source. Methane per tonne of
fresh matter is `BMP x DM x oDM` (LfL Bavaria convention); the low/high bands of the BMP carry
through to every energy column (`_low`, `_high`).
"""),
    ("code", """
from geopotential.biogas import BiogasParameters, coefficients
from geopotential.params import load_parameters

params = BiogasParameters()
subs = coefficients.substrates(params)
subs[["family", "dm_pct", "odm_pct_dm", "bmp_nm3_ch4_t_odm", "ch4_nm3_t_fm_low", "ch4_nm3_t_fm",
      "ch4_nm3_t_fm_high"]].round(1)
"""),
    ("code", """
s = subs.sort_values("ch4_nm3_t_fm")
fig, ax = plt.subplots(figsize=(9, 0.28 * len(s) + 1))
y = np.arange(len(s))
ax.errorbar(s["ch4_nm3_t_fm"], y, xerr=[s["ch4_nm3_t_fm"] - s["ch4_nm3_t_fm_low"], s["ch4_nm3_t_fm_high"] - s["ch4_nm3_t_fm"]],
            fmt="o", color="tab:green", ecolor="grey", capsize=3)
ax.set_yticks(y, s.index, fontsize=8)
ax.set(xlabel="methane potential [Nm3 CH4 / t fresh matter] (bar: low-high)", title="Substrates")
plt.show()
"""),
    ("code", """
crops = coefficients.crops(params)
display(crops[["name_en", "resource", "yield_t_fm_ha_low", "yield_t_fm_ha", "yield_t_fm_ha_high",
               "residue_to_product_ratio", "harvestable_fraction", "competing_use_fraction", "include"]].head(12))
coefficients.manure(params)[["category", "housing", "substrate", "t_fm_head_yr", "housing_share", "housed_fraction"]].head(10)
"""),
    ("code", """
pd.DataFrame([{"parameter": k, "value": p.value, "unit": p.unit, "low": p.low, "high": p.high, "source": p.source[:70]}
              for k, p in load_parameters("biogas_parameters").items()]).head(15)
"""),
    ("md", """
## 2. Potential levels

`biogas_layers` runs every potential function (`parcel_potential`, `livestock_potential`,
`biowaste_potential`), sums them per commune (`commune_biogas_summary`) and sites digesters.
The levels, per ADEME/Solagro 2013:

* **gross**: all the resource produced;
* **available**: after competing uses (straw for litter, ...);
* **net**: `net_fraction` of the available (the GND, 85 %);
* **mobilisable_2030 / 2050**: net x mobilisation rate of the resource family in that scenario.
"""),
    ("code", """
from geopotential.biogas import biogas_layers

layers = biogas_layers(data.rpg, data.livestock, data.communes, params=params)
parcels = layers["parcels_biogas"]
communes_biogas = layers["communes_biogas"]
print({k: (None if v is None else len(v)) for k, v in layers.items()})
excl = parcels.assign(reason=parcels["exclusion_reason"].replace("", "(counted)"))
excl.groupby("reason").agg(parcels=("parcel_id", "size"), area_ha=("area_ha", "sum")).round(1)
"""),
    ("code", """
levels = params.levels()
terr = communes_biogas.sum(numeric_only=True)
lv = pd.DataFrame({
    "low": [terr[f"biogas_energy_{l}_mwh_pcs_yr_low"] for l in levels],
    "central": [terr[f"biogas_energy_{l}_mwh_pcs_yr"] for l in levels],
    "high": [terr[f"biogas_energy_{l}_mwh_pcs_yr_high"] for l in levels],
    "central_mwh_pci_yr": [terr[f"biogas_energy_{l}_mwh_pci_yr"] for l in levels],
}, index=pd.Index(levels, name="level")) / 1000.0
lv.columns = ["low_gwh_pcs_yr", "central_gwh_pcs_yr", "high_gwh_pcs_yr", "central_gwh_pci_yr"]
lv.round(2)
"""),
    ("code", """
components = ["crops", "cive", "manure", "biowaste", "point_sources"]
stack = pd.DataFrame({c: [terr[f"biogas_{c}_energy_{l}_mwh_pcs_yr"] / 1000.0 for l in levels] for c in components},
                     index=levels)
# 'crops' includes the CIVE: show crops without CIVE and CIVE separately
stack["crops"] = stack["crops"] - stack["cive"]
fig, ax = plt.subplots(figsize=(10, 4.5))
bottom = np.zeros(len(levels))
for c in components:
    ax.bar(levels, stack[c], bottom=bottom, label="crops (without CIVE)" if c == "crops" else c)
    bottom += stack[c].to_numpy()
ax.errorbar(levels, lv["central_gwh_pcs_yr"], yerr=[lv["central_gwh_pcs_yr"] - lv["low_gwh_pcs_yr"],
            lv["high_gwh_pcs_yr"] - lv["central_gwh_pcs_yr"]], fmt="none", ecolor="black", capsize=5,
            label="low-high band (BMP, yields)")
ax.set(ylabel="biomethane potential [GWh PCS/yr]", title="Potential levels by resource")
ax.legend(fontsize=8)
plt.show()
"""),
    ("code", """
cols = ["commune_insee"] + [f"biogas_energy_{l}_mwh_pcs_yr" for l in levels]
per_commune = communes_biogas[cols].set_index("commune_insee")
assert np.allclose(per_commune.sum(), [terr[c] for c in cols[1:]])  # communes add up to the territory
per_commune.round(0)
"""),
    ("md", """
## 3. Scenarios

Scenarios are named sets of mobilisation rates per resource family [-], not code branches.
The defaults (ADEME) leave energy crops and grass at 0. Add a scenario of your own, e.g. one that
mobilises more manure and CIVE, and every level column appears for it.
"""),
    ("code", """
display(pd.DataFrame(params.scenarios).rename_axis("family"))
custom = {**params.scenarios, "ambitious2050": {**params.scenarios["2050"], "manure": 0.8, "cive": 0.8, "grass": 0.2}}
params_ambitious = params.model_copy(update={"scenarios": custom})
params_ambitious = BiogasParameters.model_validate(params_ambitious.model_dump())  # validated, as the config does
layers_amb = biogas_layers(data.rpg, data.livestock, data.communes, params=params_ambitious, site=False)
terr_amb = layers_amb["communes_biogas"].sum(numeric_only=True)
pd.Series({l: terr_amb[f"biogas_energy_{l}_mwh_pcs_yr"] / 1000.0 for l in params_ambitious.levels()},
          name="GWh PCS/yr").round(2).to_frame()
"""),
    ("md", """
## 4. Digester siting and the collection radius

`site_digesters` places plants greedily on the densest supply within `siting_radius_km`
(euclidean distance) and sizes them between `plant_min_nm3_h` and `plant_max_nm3_h` of
biomethane injection; supply that cannot feed a viable plant stays unassigned. The siting uses
the **net** level by default (`siting_level`).
"""),
    ("code", """
sites, catchments = layers["digester_sites"], layers["catchments"]
display(sites.drop(columns="geometry").round(1))
fig, ax = plt.subplots(figsize=(8, 7))
data.communes.boundary.plot(ax=ax, color="black", linewidth=0.8)
parcels.plot(ax=ax, column="energy_net_mwh_pcs_yr", cmap="YlGn", legend=True,
             legend_kwds={"label": "net potential per parcel [MWh PCS/yr]", "shrink": 0.6})
if catchments is not None and len(catchments):
    catchments.boundary.plot(ax=ax, color="tab:red", linestyle="--")
if sites is not None and len(sites):
    sites.plot(ax=ax, color="red", marker="*", markersize=150)
ax.set_axis_off()
ax.set_title("Supply, catchments (dashed) and digesters (stars)")
plt.show()
"""),
    ("code", """
from geopotential.biogas import site_digesters, supply_points

def with_commune_geometry(df):
    \"\"\"Livestock and biowaste are per commune: give them the commune polygon for siting.\"\"\"
    return data.communes[["commune_insee", "geometry"]].merge(df.drop(columns="geometry", errors="ignore"), on="commune_insee")

supply = supply_points(parcels, with_commune_geometry(layers["livestock_biogas"]),
                       with_commune_geometry(layers["biowaste_biogas"]), params=params)
total_supply = supply["energy_mwh_pcs_yr"].sum()
rows = []
for radius in [1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 25.0]:
    for plant_min in [50.0, params.plant_min_nm3_h]:
        p = params.model_copy(update={"siting_radius_km": radius, "plant_min_nm3_h": plant_min})
        s, c, assignment = site_digesters(supply, None, p)
        collected = supply.loc[assignment.notna().to_numpy(), "energy_mwh_pcs_yr"].sum()
        rows.append({"siting_radius_km": radius, "plant_min_nm3_h": plant_min, "n_plants": len(s),
                     "capacity_nm3_h": s["capacity_nm3_h"].sum() if len(s) else 0.0,
                     "delivered_mwh_pcs_yr": s["energy_mwh_pcs_yr"].sum() if len(s) else 0.0,
                     "supply_collected_pct": 100.0 * collected / total_supply})
radius_sens = pd.DataFrame(rows)
print(f"supply at the net level: {total_supply:,.0f} MWh PCS/yr in {len(supply)} points")
radius_sens.round(1)
"""),
    ("code", """
fig, ax = plt.subplots(figsize=(8, 4))
for pmin, grp in radius_sens.groupby("plant_min_nm3_h"):
    ax.plot(grp["siting_radius_km"], grp["supply_collected_pct"], "o-", label=f"minimum plant {pmin:.0f} Nm3/h")
ax.set(xlabel="collection radius [km]", ylabel="share of the supply collected [%]", ylim=(0, 105))
ax.legend()
plt.show()
"""),
    ("md", """
On the demo (a few km across) one plant within any radius above a few km reaches the whole
supply; a small radius or a large minimum plant size leaves supply uncollected. On a real
territory (the Somme), the radius sets how many plants the resource supports.
"""),
]
