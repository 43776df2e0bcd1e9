"""What the service relies on from the engine, checked on the engine directly.

The service answers a ``ConfigError`` with a 422 naming its field; any other
exception out of the engine would be a 500.  The API shields these cases
itself, but the engine should not depend on that.
"""

from __future__ import annotations

import pytest

from engine.config import ConfigError
from engine.trainer import Trainer


def test_trace_of_ragged_rows_is_a_config_error():
    t = Trainer({})
    with pytest.raises(ConfigError) as err:
        t.trace([[0.0, 0.0], [1.0]], [[1.0], [0.0]])
    assert err.value.field == "x"


def test_trace_of_wrong_widths_is_a_config_error():
    t = Trainer({})
    with pytest.raises(ConfigError):
        t.trace([[0.0, 0.0, 0.0]], [[1.0]])
    with pytest.raises(ConfigError):
        t.trace([[0.0, 0.0]], [[1.0, 2.0]])


def test_set_weights_of_ragged_rows_is_a_config_error():
    t = Trainer({})
    layers = [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in t.network.layers]
    layers[0]["W"][0].append(1.0)
    with pytest.raises(ConfigError):
        t.set_weights(layers)
