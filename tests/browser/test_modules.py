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
        // ten rows (API.md's fewest samples): the four given, then six more of classes 0 and 1
        const ten = (text) => text + '0.5,0.5,0\\n-0.5,-0.5,1\\n1.5,0.5,0\\n-1.5,-0.5,1\\n2.5,0.5,0\\n-2.5,-0.5,1\\n';
        return {
          header: tryParse(ten('x1,x2,label\\n1,2,0\\n-1,-2,1\\n3,3,0\\n-3,-3,1\\n')),
          semicolons: tryParse(ten('1;2;0\\r\\n-1;-2;1\\r\\n3;3;2\\r\\n-3;-3;1\\r\\n').replaceAll(',', ';')),
          regression: tryParse(ten('1,2,0.5\\n-1,-2,1.5\\n3,3,0\\n-3,-3,1\\n')),
          empty: tryParse('   \\n'),
          text: tryParse('hello\\nworld\\n'),
          columns: tryParse('1,2\\n3,4\\n5,6\\n7,8\\n'),
          outside: tryParse(ten('1,2,0\\n-1,7,1\\n3,3,0\\n-3,-3,1\\n')),
          few: tryParse('1,2,0\\n-1,-2,1\\n'.repeat(4) + '1,2,0\\n'),
          missing: tryParse('1,2,0\\n-1,-2,2\\n3,3,0\\n-3,-3,2\\n'.repeat(3)),
          negative: tryParse(ten('1,2,0\\n-1,-2,-1\\n3,3,0\\n-3,-3,1\\n')),
          oneClass: tryParse('1,2,0\\n-1,-2,0\\n3,3,0\\n-3,-3,0\\n'.repeat(3)),
        };""")
    assert result["header"] == {"points": {"x": [[1, 2], [-1, -2], [3, 3], [-3, -3], [0.5, 0.5], [-0.5, -0.5],
                                                [1.5, 0.5], [-1.5, -0.5], [2.5, 0.5], [-2.5, -0.5]],
                                          "y": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]},
                                "task": "classification"}
    assert result["semicolons"]["points"]["y"] == [0, 1, 2, 1, 0, 1, 0, 1, 0, 1]
    assert result["regression"]["task"] == "regression"
    assert result["empty"] == "ERROR the file is empty"
    assert result["text"].startswith("ERROR line 1")  # one word is no header of three columns
    assert "three columns" in result["columns"]
    assert "line 2" in result["outside"] and "[−6, 6]" in result["outside"]
    assert "at least 10 points" in result["few"] and "found 9" in result["few"]
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


def test_number_format_never_makes_a_rounded_number_look_exact_and_equations_check_out(playground):
    """A tanh′ of 0.99997 was written "1", beside "0.001644 · 1 = 0.001643": a rounded number keeps
    its trailing zeros, and operandDigits gives the factors of a written product the digits that
    make it check out."""
    pg = playground.open()
    result = _run(pg, """
        const { num, operandDigits } = await import('/static/js/format.js');
        const f = [0.00164351, 0.99997], c = f[0] * f[1];   // 0.001643…: at four digits 0.001644 · 1.000
        const p = operandDigits(f, (s) => s[0] * s[1], c);
        return { near1: num(0.99997), exact: [num(1), num(0.5), num(0.03), num(1.5)], loss: num(0.78599), neg: num(-0.99997),
                 small: num(2.5e-5), p, factors: f.map((x) => num(x, p)), product: num(c),
                 fixed: [num(f[0]) + ' · ' + num(f[1]), num(c)] };
    """)
    assert result["near1"] == "1.000" and result["neg"] == "-1.000" and result["loss"] == "0.7860"
    assert result["exact"] == ["1", "0.5", "0.03", "1.5"]          # exact values stay short
    assert result["small"] == "2.500e-5"
    a, b = (float(x) for x in result["factors"])
    shown = float(result["product"])
    assert abs(a * b - shown) <= 0.5e-6 * (1 + 1e-9), result            # the factors as shown give the product as shown
    assert result["p"] > 4                                                 # at four digits they would not: 0.001644 · 1.000
    assert abs(0.001644 * 1.0 - shown) > 0.5e-6
