"""Property tests (hypothesis): invariants of the potential levels and sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geopotential.aggregate import check_conservation
from geopotential.biogas import BiogasParameters, commune_biogas_summary, livestock_potential, parcel_potential
from geopotential.biogas.coefficients import crops, manure

CODES = sorted(crops().index) + ["XXX", ""]
CATEGORIES = sorted(manure()["category"].unique())
FAMS = ["manure", "crop_residue", "cive", "energy_crop", "grass"]

parcels_st = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.floats(0, 200, allow_nan=False),
        st.sampled_from(["", "DFV", "DPH"]),
        st.sampled_from(["80021", "80001", None]),
    ),
    min_size=1,
    max_size=40,
)
params_st = st.builds(
    BiogasParameters,
    net_fraction=st.floats(0, 1),
    net_basis=st.sampled_from(["available", "gross"]),
    scenarios=st.dictionaries(st.sampled_from(["2030", "2050", "s3"]), st.fixed_dictionaries({f: st.floats(0, 1) for f in FAMS}),
                              min_size=1, max_size=3),
    competing_use_fraction=st.dictionaries(st.sampled_from(["cereal_straw", "maize_stover", "beet_leaves"]), st.floats(0, 1), max_size=3),
    include_resources=st.lists(st.sampled_from(["permanent_grassland", "temporary_grassland", "fallow_grass", "sunflower_straw"]), max_size=2),
)


def _frame(rows):
    return pd.DataFrame({
        "parcel_id": [f"p{i}" for i in range(len(rows))],
        "code_cultu": [r[0] for r in rows],
        "area_ha": [r[1] for r in rows],
        "culture_d1": [r[2] for r in rows],
        "commune_insee": [r[3] for r in rows],
    })


@settings(max_examples=40, deadline=None)
@given(parcels_st, params_st)
def test_levels_ordered_nonnegative_and_conserved(rows, params):
    df = _frame(rows)
    pb = parcel_potential(df, params)
    num = pb.select_dtypes("number")
    assert (num.to_numpy() >= 0).all()
    lv = params.levels()
    tol = 1e-6
    for q in ("ch4_{}_nm3_yr", "t_fm_{}_yr", "t_dm_{}_yr", "energy_{}_mwh_pcs_yr", "energy_{}_mwh_pci_yr"):
        g, a, n = (pb[q.format(x)].to_numpy() for x in lv[:3])
        assert (g + tol >= a).all() and (a + tol >= n).all()
        for s in lv[3:]:
            assert (n + tol >= pb[q.format(s)].to_numpy()).all()
    for x in lv:
        e = pb[f"energy_{x}_mwh_pcs_yr"].to_numpy()
        assert (pb[f"energy_{x}_mwh_pcs_yr_low"].to_numpy() <= e + tol).all()
        assert (e <= pb[f"energy_{x}_mwh_pcs_yr_high"].to_numpy() + tol).all()
    assert ((pb["energy_mwh_pcs_yr"] > 0) | (pb["exclusion_reason"] != "")).all()
    summ = commune_biogas_summary(pb, params=params)
    cols = [f"energy_{x}_mwh_pcs_yr" for x in lv] + ["t_fm_yr", "ch4_nm3_yr"]
    check_conservation(pb, summ.rename(columns={f"biogas_{c}": c for c in cols}), cols, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["80021", "80001", "80002"]), st.sampled_from(CATEGORIES), st.floats(0, 1e4)),
             min_size=1, max_size=30),
    params_st,
)
def test_livestock_levels_and_conservation(rows, params):
    heads = pd.DataFrame(rows, columns=["commune_insee", "category", "heads"])
    det = livestock_potential(heads, params, detail=True)
    out = livestock_potential(heads, params)
    cols = ["heads", "ch4_nm3_yr"] + [f"ch4_{x}_nm3_yr" for x in params.levels()]
    check_conservation(det, out, cols)
    assert out["heads"].sum() == np.float64(heads["heads"].sum()) or np.isclose(out["heads"].sum(), heads["heads"].sum())
    assert (out["ch4_gross_nm3_yr"] + 1e-6 >= out["ch4_available_nm3_yr"]).all()
    assert (out["ch4_available_nm3_yr"] + 1e-6 >= out["ch4_net_nm3_yr"]).all()
