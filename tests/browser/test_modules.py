"""The page's pure modules, run in Chromium: the CSV reader and the share-link
codec (config ⇄ query string through the catalog's table of typed properties)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _run(pg, body: str):
    return pg.page.evaluate(f"async () => {{ {body} }}")


def test_csv_reader_accepts_good_files_and_names_the_fault_in_bad_ones(playground):
    pg = playground.open()
    result = _run(pg, """
        const { parsePointsCsv } = await import('/static/js/csv.js');
        const tryParse = (text) => { try { return parsePointsCsv(text); } catch (e) { return 'ERROR ' + e.message; } };
        return {
          header: tryParse('x1,x2,label\\n1,2,0\\n-1,-2,1\\n3,3,0\\n-3,-3,1\\n'),
          semicolons: tryParse('1;2;0\\r\\n-1;-2;1\\r\\n3;3;2\\r\\n-3;-3;1\\r\\n'),
          regression: tryParse('1,2,0.5\\n-1,-2,1.5\\n3,3,0\\n-3,-3,1\\n'),
          empty: tryParse('   \\n'),
          text: tryParse('hello\\nworld\\n'),
          columns: tryParse('1,2\\n3,4\\n5,6\\n7,8\\n'),
          outside: tryParse('1,2,0\\n-1,7,1\\n3,3,0\\n-3,-3,1\\n'),
          few: tryParse('1,2,0\\n-1,-2,1\\n'),
          missing: tryParse('1,2,0\\n-1,-2,2\\n3,3,0\\n-3,-3,2\\n'),
          negative: tryParse('1,2,0\\n-1,-2,-1\\n3,3,0\\n-3,-3,1\\n'),
          oneClass: tryParse('1,2,0\\n-1,-2,0\\n3,3,0\\n-3,-3,0\\n'),
        };""")
    assert result["header"] == {"points": {"x": [[1, 2], [-1, -2], [3, 3], [-3, -3]], "y": [0, 1, 0, 1]},
                                "task": "classification"}
    assert result["semicolons"]["points"]["y"] == [0, 1, 2, 1]
    assert result["regression"]["task"] == "regression"
    assert result["empty"] == "ERROR the file is empty"
    assert result["text"].startswith("ERROR line 1")  # one word is no header of three columns
    assert "three columns" in result["columns"]
    assert "line 2" in result["outside"] and "[−6, 6]" in result["outside"]
    assert "at least 4 points" in result["few"]
    assert "missing 1" in result["missing"]
    assert "negative" in result["negative"]
    assert "two classes" in result["oneClass"]


def test_share_link_codec_round_trips_every_kind_of_property(playground):
    pg = playground.open()
    result = _run(pg, """
        const { encodeConfig, decodeConfig } = await import('/static/js/link.js');
        const catalog = await (await fetch('/api/catalog')).json();
        const base = window.__chainrule.config;
        const configs = [
          base,
          { ...base, dataset: 'spiral3', loss: 'cross_entropy', output_activation: 'softmax', hidden_layers: [],
            activation: 'relu', learning_rate: 0.003, l1: 0.001, seed: 123456, features: ['x1', 'x1x2', 'sin_x2'] },
          { ...base, hidden_layers: [3, 5], activation: ['relu', 'tanh'], optimizer: 'momentum', momentum: 0.95,
            noise: 0.35, train_fraction: 0.7, batch_size: 1, init: 'he', n_samples: 1000 },
          { ...base, dataset: 'custom', task: 'classification',
            points: { x: [[0.25, -1.5], [1e-7, 5.999], [-6, 6], [3.14159, 2.71828]], y: [0, 1, 0, 1] } },
        ];
        return configs.map((c) => {
          const q = encodeConfig(c, catalog);
          const { partial, errors } = decodeConfig(q, catalog);
          return { q, partial, errors, c };
        });""")
    assert result[0]["q"] == ""  # the defaults need no parameters at all
    for case in result:
        assert case["errors"] == []
        for key, value in case["partial"].items():
            assert case["c"][key] == value, (key, case["q"])
    assert "hidden_layers=-" in result[1]["q"] and result[1]["partial"]["hidden_layers"] == []
    assert result[2]["partial"]["activation"] == ["relu", "tanh"]
    assert result[3]["partial"]["points"]["x"][1] == [1e-7, 5.999]
    assert "learning_rate" not in result[2]["partial"]  # unchanged from the default, so not in the link
