"""Readers of ORE / SDES consumption files and of current production."""

from __future__ import annotations

import pandas as pd
import pytest

from geopotential.exceptions import InputError, MissingFieldError
from geopotential.io.consumption import read_consumption, read_existing_production

ORE_LABELS = (
    "OPERATEUR;Année;FILIERE;Code Commune;Nom Commune;CODE CATEGORIE CONSOMMATION;CODE GRAND SECTEUR;"
    "Nb sites;Conso totale (MWh);Conso moyenne (MWh)\n"
    "Enedis;2021;Electricité;80021;Amiens;RES;RESIDENTIEL;70000;250000,5;3,57\n"
    "Enedis;2022;Electricité;80021;Amiens;RES;RESIDENTIEL;70000;240 000,25;3,43\n"
    "Enedis;2022;Electricité;80021;Amiens;PRO;TERTIAIRE;9000;300000;33,3\n"
    "GRDF;2022;Gaz;80021;Amiens;RES;RESIDENTIEL;40000;400000,5;10\n"
    "GRDF;2022;Gaz;80021;Amiens;ENT;INDUSTRIE;40;;\n"
    "Enedis;2022;Electricité;1001;L'Abergement;RES;RESIDENTIEL;300;1200;4\n"
)


def test_ore_label_layout_latin1_decimal_comma(tmp_path):
    p = tmp_path / "conso.csv"
    p.write_bytes(ORE_LABELS.encode("latin-1"))
    df = read_consumption(p)
    assert list(df.columns) == ["commune_insee", "carrier", "sector", "consumption_mwh_yr", "heating_value", "year"]
    assert (df["year"] == 2022).all()  # latest year kept
    d = df.set_index(["commune_insee", "carrier", "sector"])["consumption_mwh_yr"]
    assert d[("80021", "electricity", "residential")] == pytest.approx(240000.25)
    assert d[("80021", "electricity", "tertiary")] == 300000.0
    assert d[("80021", "gas", "residential")] == pytest.approx(400000.5)
    assert d[("80021", "gas", "industry")] == 0.0  # statistical secrecy -> 0, logged
    assert d[("01001", "electricity", "residential")] == 1200.0  # leading zero restored
    assert set(df.loc[df["carrier"] == "gas", "heating_value"]) == {"pcs"}
    assert set(df.loc[df["carrier"] != "gas", "heating_value"]) == {""}
    df21 = read_consumption(p, year=2021)
    assert df21["consumption_mwh_yr"].sum() == pytest.approx(250000.5)


def test_ore_api_and_sdes_layouts(tmp_path):
    api = tmp_path / "api.csv"
    api.write_text(
        "operateur,annee,filiere,code_commune,code_grand_secteur,conso,pdl\n"
        "Enedis,2023,Electricité,80001,TERTIAIRE,12.5,3\nGRDF,2023,Gaz,80001,RESIDENTIEL,7.5,2\n",
        encoding="utf-8-sig",
    )
    a = read_consumption(api)
    assert a["consumption_mwh_yr"].sum() == 20.0
    assert set(a["carrier"]) == {"electricity", "gas"}
    sdes = tmp_path / "sdes.csv"
    sdes.write_text(
        "OPERATEUR;ANNEE;FILIERE;CODE_CATEGORIE_CONSOMMATION;CODE_GRAND_SECTEUR;CODE_SECTEUR_NAF2;CODE;LIBELLE;CONSO;PDL\n"
        "X;2022;E;RES;R;;80002;B;10,5;1\nY;2022;G;ENT;I;;80002;B;20;1\nZ;2022;C;ENT;T;;80002;B;3;1\n",
        encoding="utf-8",
    )
    s = read_consumption(sdes).set_index("carrier")
    assert s.loc["electricity", "consumption_mwh_yr"] == 10.5
    assert s.loc["gas", "sector"] == "industry"
    assert s.loc["heat", "consumption_mwh_yr"] == 3.0


def test_bad_consumption_files(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("code_commune;filiere;volume\n80001;Gaz;3\n", encoding="utf-8")
    with pytest.raises(MissingFieldError, match="consumption in MWh"):
        read_consumption(p)
    p.write_text("code_commune;filiere;conso\n80001;Gaz;abc\n", encoding="utf-8")
    with pytest.raises(InputError, match="not numbers"):
        read_consumption(p)
    with pytest.raises(InputError, match="not found"):
        read_consumption(tmp_path / "missing.csv")
    p.write_text("code_commune;filiere;conso;annee\n80001;Gaz;3;2022\n", encoding="utf-8")
    with pytest.raises(InputError, match="year 2019"):
        read_consumption(p, year=2019)


def test_existing_production_injection_sites(shared_data):
    df = read_existing_production(shared_data / "biomethane-injection-sites" / "points-injection.csv")
    assert set(df["source"]) == {"biomethane"} and set(df["heating_value"]) == {"pcs"}
    d = df.set_index("commune_insee")["production_mwh_yr"]
    assert d["80812"] == pytest.approx(31283.0)  # Sanamethan, Vraignes-en-Vermandois
    assert d["80213"] == pytest.approx(35752.0)  # SAS Bioagrienergies, Cottenchy
    assert df["commune_insee"].str.len().eq(5).all()


def test_existing_production_enedis_and_long(tmp_path):
    p = tmp_path / "prod.csv"
    p.write_text(
        "Année;Nom commune;Code commune;Domaine de tension;Nb sites Photovoltaïque Enedis;"
        "Energie produite annuelle Photovoltaïque Enedis (MWh);Energie produite annuelle Eolien Enedis (MWh)\n"
        "2022;Amiens;80021;BT<=36kVA;100;1 000,5;\n2022;Amiens;80021;HTA;3;500;20000\n"
        "2021;Amiens;80021;HTA;3;1;1\n",
        encoding="utf-8",
    )
    d = read_existing_production(p).set_index("source")["production_mwh_yr"]
    assert d["pv"] == pytest.approx(1500.5)
    assert d["wind"] == 20000.0
    q = tmp_path / "long.csv"
    pd.DataFrame({"commune_insee": ["80021"], "source": ["chaleur"], "production_mwh_yr": [5.0]}).to_csv(q, index=False)
    r = read_existing_production(q)
    assert r.loc[0, "source"] == "heat" and r.loc[0, "carrier"] == "heat"
