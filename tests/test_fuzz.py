"""Property-based fuzzing (hypothesis): wrong types, extremes, NaN, huge numbers, empty values and unicode.

Every input must either work or be refused with a clear validation error; the server must stay up.
"""

import os

import numpy as np
import pytest
from gradio_client import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GENERIC_GRADIO_ERROR = "has not enabled verbose error reporting"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-3, max_value=12),
    st.integers(min_value=2**62, max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["", " ", "7", "-1", "1e3", "٣", "random", "0x10", "2**63", "１２"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.tuples(scalars, scalars))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digit=values, seed=values, count=values, psi=values)
def test_python_api_accepts_or_refuses_clearly(tiny_generator, digit, seed, count, psi):
    try:
        images = tiny_generator.generate(digit, seed=seed, count=count, psi=psi)
    except ValueError as e:
        assert any(word in str(e) for word in ("digit", "seed", "count", "psi")), str(e)
        return
    assert images.dtype == np.uint8 and images.ndim == 3 and images.shape[1:] == (28, 28)


# JSON cannot carry NaN or infinities, so the endpoints get every other kind of value
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**80, max_value=2**80),
    st.integers(min_value=-3, max_value=70), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(["", "7", "-1", "1.5", "٣", "random", "0-3", "2**63", "１２"]),
)
json_values = st.one_of(json_scalars, st.lists(json_scalars, max_size=3))

ENDPOINTS = {
    "/generate": 4,
    "/dataset": 4,
    "/style_row": 2,
    "/morph": 6,
    "/explore": 7,
}


@pytest.fixture(scope="module")
def client(server):  # noqa: F811
    return Client(server, verbose=False)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 500)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(sorted(ENDPOINTS)), data=st.data())
def test_endpoints_accept_or_refuse_clearly(client, endpoint, data):
    args = data.draw(st.lists(json_values, min_size=ENDPOINTS[endpoint], max_size=ENDPOINTS[endpoint]))
    job = client.submit(*args, api_name=endpoint)
    try:
        job.result(timeout=60)  # a hang is a failure too
    except TimeoutError:
        raise AssertionError(f"{endpoint}{tuple(args)} did not answer within 60 s") from None
    except Exception as e:  # gradio_client raises AppError (or ValueError for payloads it refuses itself)
        message = str(e)
        assert GENERIC_GRADIO_ERROR not in message, f"{endpoint}{tuple(args)} crashed instead of validating"
        assert message.strip(), f"{endpoint}{tuple(args)} gave an empty error"


def test_server_still_serves_after_fuzzing(client):
    assert len(client.predict(1, "1", 2, 1.0, api_name="/generate")) == 2
