"""The balance chart renders today / potential / 2050 bars for the territory and the communes."""

from __future__ import annotations

import pandas as pd
import pytest

from geopotential.balance import BalanceParameters, ScenarioParameters, apply_scenarios, commune_balance
from geopotential.balance.charts import balance_chart, balance_figure
from geopotential.exceptions import InputError


@pytest.fixture()
def balance():
    communes = pd.DataFrame({"commune_insee": ["80001", "80002", "80003"], "commune_name": ["A", "B", "C"]})
    consumption = pd.DataFrame({"commune_insee": ["80001", "80002", "80003"], "carrier": "electricity",
                                "consumption_mwh_yr": [3000.0, 2000.0, 1000.0]})
    potential = pd.DataFrame({"commune_insee": ["80001", "80002", "80003"], "pv_energy_mwh_yr": [500.0, 300.0, 50.0],
                              "energy_net_mwh_pcs_yr": [0.0, 800.0, 100.0],
                              "energy_mobilisable_2050_mwh_pcs_yr": [0.0, 600.0, 80.0]})
    params = BalanceParameters(scenarios=[ScenarioParameters(name="s1")])
    return apply_scenarios(commune_balance(communes, consumption, potential, None, params), params)


def test_balance_chart_png(balance, tmp_path):
    path = balance_chart(balance, tmp_path / "sub" / "balance.png", top_n=2, language="en")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_balance_figure_content(balance):
    fig = balance_figure(balance, scenario="s1", top_n=2)
    ax_terr, ax_com = fig.axes[:2]
    assert [t.get_text() for t in ax_terr.get_xticklabels()] == ["Aujourd'hui", "Potentiel", "2050"]
    # 5 stacked components x 3 phases + 3 consumption bars
    assert len(ax_terr.patches) == 5 * 3 + 3
    heights = [p.get_height() for p in ax_terr.patches]
    assert max(heights) == pytest.approx(6.0)  # territory consumption today, 6000 MWh -> 6 GWh
    assert [t.get_text() for t in ax_com.get_yticklabels()] == ["A", "B"]
    with pytest.raises(InputError, match="scenario"):
        balance_figure(balance, scenario="nope")
