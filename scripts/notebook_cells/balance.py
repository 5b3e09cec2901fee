"""Cells of notebooks/04_territory_balance.ipynb."""

from ._common import SETUP

CELLS = [
    ("md", """
# Territory energy balance and 2050 scenarios

Amiens Metropole's question: to be energy-autonomous in 2050 the territory must cut its
consumption by 60 % and multiply its local production by seven. How much of that gap can rooftop
PV and methanisation close, per commune and for the territory?

This notebook takes the potentials of a demo run, builds the balance with the pure functions of
`geopotential.balance`, changes the scenario, compares two scenarios side by side and compares the
communes. Energies are in MWh/yr; everything that includes gas is on the higher heating value
(**PCS**, the unit of the ORE/SDES gas data and of the injection registers), named in the columns
(`_mwh_pcs_yr`). The demo data are synthetic.
"""),
    ("code", SETUP),
    ("md", """
## 1. The potentials of a run

We reuse the demo run of `01_quickstart.ipynb` when it is there (reading its GeoPackage, as one
would in any later session), else run the demo now (about a minute).
"""),
    ("code", """
import json

import geopandas as gpd

RUN = OUT / "demo"
INPUTS = OUT / "demo-inputs"
run_json = RUN / "run.json"
if run_json.exists() and json.loads(run_json.read_text())["meta"].get("synthetic"):
    communes_summary = gpd.read_file(RUN / "geopotential.gpkg", layer="communes_summary")
    print("reusing the demo run in", RUN)
else:
    result = gp.run_demo(OUT, show_progress=False)
    communes_summary = result.layers["communes_summary"]
# the run selected matplotlib's file-only "Agg" backend (report figures): back to inline figures
%matplotlib inline
communes_summary[["commune_insee", "commune_name", "population", "pv_energy_mwh_yr", "biogas_energy_net_mwh_pcs_yr",
                  "biogas_energy_mobilisable_2050_mwh_pcs_yr", "consumption_total_mwh_pcs_yr"]].round(0)
"""),
    ("md", """
## 2. Consumption and production today

Consumption comes from the ORE/SDES open local-energy data (one row per commune, carrier and
sector). Without such a file, `default_consumption` applies per-inhabitant defaults by carrier
(with their source), flagged `consumption_is_default` in the outputs. Both, side by side [MWh/yr]:
"""),
    ("code", """
from geopotential import balance as bal
from geopotential.io.consumption import read_consumption, read_existing_production

communes = pd.DataFrame(communes_summary[["commune_insee", "commune_name", "population"]])
consumption = read_consumption(INPUTS / "consumption.csv")
defaults = bal.default_consumption(communes)
display(bal.consumption_defaults_table().round(2))
pd.concat({"ORE/SDES file": consumption.pivot_table(index="carrier", values="consumption_mwh_yr", aggfunc="sum"),
           "per-inhabitant defaults": defaults.pivot_table(index="carrier", values="consumption_mwh_yr", aggfunc="sum")},
          axis=1).round(0)
"""),
    ("md", """
Note that the ORE/SDES data cover the grid carriers (electricity, gas, and heat networks where
they exist), not oil products or transport fuels ("other"): a balance on them measures autonomy
against grid energy only. The per-inhabitant defaults include every carrier.

The demo has **no current production** input, so production today is 0 and "seven times today's
production" would be a target of 0. The real Amiens Metropole produces about 2 % of what it
consumes. For this study we declare an *illustrative* current production per commune (existing
rooftop PV and a heat network), in the canonical long layout that `read_existing_production`
reads (it also reads the Enedis per-commune production file and the ODRE biomethane injection
sites). These figures are assumptions for the demonstration, not data.
"""),
    ("code", """
existing_csv = OUT / "existing_production_illustrative.csv"
pd.DataFrame({
    "commune_insee": ["80021", "80021", "80164", "80489", "80674"],
    "source":        ["pv",    "heat",  "pv",    "pv",    "pv"],
    "production_mwh_yr": [900.0, 3600.0, 150.0, 400.0, 120.0],
}).to_csv(existing_csv, index=False)
existing = read_existing_production(existing_csv)
existing
"""),
    ("md", """
## 3. The balance and the default scenario

`commune_balance` sets production (today, at the potential) against consumption per carrier, and
`apply_scenarios` adds the columns of every scenario of `BalanceParameters.scenarios`. The
default scenario is Amiens Metropole's: consumption -60 %, production target x7 today's, PV and
biomethane potentials mobilised on a 2030/2050 calendar.
"""),
    ("code", """
potential = pd.DataFrame({"commune_insee": communes_summary["commune_insee"],
                          "pv_energy_mwh_yr": communes_summary["pv_energy_mwh_yr"]})
for c in communes_summary.columns:   # biogas_energy_<level>_mwh_pcs_yr -> energy_<level>_mwh_pcs_yr
    if c.startswith("biogas_energy_") and c.endswith(("_mwh_pcs_yr", "_mwh_pci_yr")):
        potential[c.removeprefix("biogas_")] = communes_summary[c]

params = bal.BalanceParameters()
print(params.scenarios[0])
balance = bal.commune_balance(communes, consumption, potential, existing, params)
balance = bal.apply_scenarios(balance, params)
ratios = ["autonomy_ratio_electricity_today", "autonomy_ratio_gas_today", "autonomy_ratio_today",
          "autonomy_ratio_electricity_potential", "autonomy_ratio_gas_potential", "autonomy_ratio_potential"]
balance[["commune_insee", "commune_name", "consumption_total_mwh_pcs_yr", "production_today_mwh_pcs_yr",
         "production_potential_mwh_pcs_yr", *ratios]].round(3)
"""),
    ("code", """
territory = bal.territory_balance(balance, params, name="demo")
assert np.isclose(territory["consumption_total_mwh_pcs_yr"].iloc[0], balance["consumption_total_mwh_pcs_yr"].sum())
bal.compare_scenarios(balance, params)
"""),
    ("md", """
Reading the table: `required_addition` is what must be built on top of today's production to
reach the target; `share_gap_closed_pv` and `share_gap_closed_biomethane` are the parts of it the
mapped potentials close in 2050, `share_gap_remaining` the rest (the three add up to 1; negative
remaining = surplus). Ratios at the territory level are recomputed from the sums, not averaged.

## 4. Change the scenario, compare two side by side

Scenarios are named parameter sets. Here a second one aims at full annual autonomy (production =
2050 consumption) with a smaller consumption cut and only 80 % of the roofs equipped by 2050.
"""),
    ("code", """
autonomy = bal.ScenarioParameters(
    name="full_autonomy", label="Full autonomy 2050", target_rule="autonomy",
    consumption_cut_pct=50.0, pv_mobilisation_2050_pct=80.0)
params2 = bal.BalanceParameters(scenarios=[params.scenarios[0], autonomy])
balance2 = bal.apply_scenarios(balance, params2)
comparison = bal.compare_scenarios(balance2, params2)
comparison
"""),
    ("code", """
rows = ["production_today", "projected_pv_2050", "projected_biomethane_2050", "gap"]
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
for ax, name in zip(axes, [s.name for s in params2.scenarios]):
    col = comparison[name]
    ax.bar(["consumption\\n2050"], [col["consumption_2050"] / 1000], color="white", edgecolor="grey", hatch="//")
    bottom = 0.0
    for q, colour in zip(rows, ["grey", "gold", "tab:green", "tab:red"]):
        v = max(float(col[q]), 0.0) / 1000
        ax.bar(["production\\n2050"], [v], bottom=bottom, color=colour, label="remaining gap" if q == "gap" else q)
        bottom += v
    ax.axhline(col["target_production"] / 1000, color="black", linestyle="--", label="target")
    ax.set(title=f"{name}: autonomy 2050 = {col['autonomy_ratio_2050']:.0%}", ylabel="GWh/yr (PCS)")
    ax.legend(fontsize=8, loc="center right")
plt.show()
"""),
    ("md", """
How the 2050 autonomy ratio (production / consumption) responds to the consumption cut, both
scenarios' production calendars kept [-]:
"""),
    ("code", """
rows = []
for cut in [0, 20, 40, 60, 70, 80]:
    for s in params2.scenarios:
        p = bal.BalanceParameters(scenarios=[s.model_copy(update={"consumption_cut_pct": float(cut)})])
        # apply_scenarios first: compare_scenarios reuses scenario columns already in the table
        t = bal.compare_scenarios(bal.apply_scenarios(balance, p), p)
        rows.append({"consumption_cut_pct": cut, "scenario": s.name, "autonomy_ratio_2050": t.loc["autonomy_ratio_2050", s.name]})
cut_sens = pd.DataFrame(rows).pivot(index="consumption_cut_pct", columns="scenario", values="autonomy_ratio_2050")
ax = cut_sens.plot(marker="o", figsize=(7, 4))
ax.set(ylabel="autonomy ratio 2050 [-]", xlabel="consumption cut [%]")
plt.show()
cut_sens.round(3)
"""),
    ("md", """
## 5. Compare communes

Per commune: autonomy today, at the full potential, and in 2050 under each scenario [-], and the
part of each commune's required addition closed by PV and biomethane.
"""),
    ("code", """
table = balance2.set_index("commune_name")
cols = {"today": "autonomy_ratio_today", "potential": "autonomy_ratio_potential"}
for s in params2.scenarios:
    cols[f"2050 {s.name}"] = bal.scenario_columns(s.name)["autonomy_ratio_2050"]
compare_communes = table[list(cols.values())].rename(columns={v: k for k, v in cols.items()})
ax = compare_communes.plot.bar(figsize=(10, 4.5), rot=0)
ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
ax.set(ylabel="autonomy ratio [-] (production / consumption)", xlabel="")
plt.show()
sc = bal.scenario_columns("amiens_metropole_2050")
pd.concat([compare_communes.round(3),
           table[[sc["share_gap_closed_pv"], sc["share_gap_closed_biomethane"], sc["share_gap_remaining"]]]
           .rename(columns=lambda c: c.removeprefix("scenario_amiens_metropole_2050_")).round(3)], axis=1)
"""),
    ("md", """
## 6. The balance chart of the report

`balance_figure` (in the notebook) and `balance_chart` (to a file) draw the report's chart:
left, the territory today / at the potential / in 2050 (production stacked by carrier and source
beside consumption, dashed line: the target); right, the communes by consumption.
"""),
    ("code", """
from geopotential.balance.charts import balance_chart, balance_figure

fig = balance_figure(balance2, scenario="full_autonomy", language="en")
display(fig)
path = balance_chart(balance2, OUT / "balance_full_autonomy.png", scenario="full_autonomy", language="en")
print("written", path)
"""),
    ("md", """
## 7. The same scenarios in a run configuration

To reproduce this in a pipeline run (GeoPackage, map with the autonomy choropleth, report), put
the scenarios and the production file in the config: scenarios are plain data. The config is
validated before anything runs; `gp.run(config)` would then run it.
"""),
    ("code", """
import yaml

from geopotential.config import config_from_dict, config_to_dict
from geopotential.pipeline.demo_run import demo_config

data = config_to_dict(demo_config(INPUTS, OUT, show_progress=False))
data["inputs"]["existing_production"] = str(existing_csv)
data["outputs"]["run_name"] = "demo-two-scenarios"
data["balance"]["scenarios"] = [s.model_dump() for s in params2.scenarios]
config = config_from_dict(data)
print(yaml.safe_dump({"balance": config_to_dict(config)["balance"]}, sort_keys=False, allow_unicode=True))
"""),
]
