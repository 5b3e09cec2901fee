"""Territory energy balance and 2050 autonomy scenarios.

Typical use::

    from geopotential.balance import (BalanceParameters, default_consumption, commune_balance,
                                      apply_scenarios, territory_balance, compare_scenarios)
    params = BalanceParameters()
    consumption = default_consumption(communes, params)          # or io.consumption.read_consumption
    balance = commune_balance(communes, consumption, potential, existing, params)
    balance = apply_scenarios(balance, params)
    territory = territory_balance(balance, params)
    comparison = compare_scenarios(balance, params)
"""

from geopotential.balance.balance import (
    RATIO_COLUMNS,
    additive_columns,
    balance_columns,
    balance_mismatches,
    commune_balance,
    heating_value_of,
    territory_balance,
)
from geopotential.balance.consumption import (
    consumption_defaults_table,
    default_consumption,
    match_communes_population,
)
from geopotential.balance.parameters import BalanceParameters, ScenarioParameters, energy_unit
from geopotential.balance.scenario import apply_scenarios, compare_scenarios, scenario_2050, scenario_columns

__all__ = [
    "BalanceParameters",
    "RATIO_COLUMNS",
    "ScenarioParameters",
    "additive_columns",
    "apply_scenarios",
    "balance_columns",
    "balance_mismatches",
    "commune_balance",
    "compare_scenarios",
    "consumption_defaults_table",
    "default_consumption",
    "energy_unit",
    "heating_value_of",
    "match_communes_population",
    "scenario_2050",
    "scenario_columns",
    "territory_balance",
]
