import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversation.callbacks import MAX_BYTES, InvalidCallback, decode, encode


def test_round_trip() -> None:
    payload = encode("page", "abc_12", 3)
    assert payload == "1:page:abc_12:3"
    callback = decode(payload)
    assert callback.action == "page" and callback.args == ("abc_12", 3)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "",
        "prod:42",  # no version
        "2:prod:42",  # a future/unknown version
        "1:prod",  # missing argument
        "1:prod:42:1",  # extra argument
        "1:prod:-1",
        "1:prod:+1",
        "1:prod: 1",
        "1:prod:٤٢",  # Arabic-Indic digits: int() would take them
        "1:prod:99999999999999999999",
        "1:nope:1",
        "1:lang:'; DROP TABLE",
        "1:prod:" + "1" * 70,
    ],
)
def test_forged_or_stale_payloads_are_refused(payload: str | None) -> None:
    with pytest.raises(InvalidCallback):
        decode(payload)


@given(st.text(max_size=100))
def test_decode_never_crashes_on_garbage(payload: str) -> None:
    try:
        callback = decode(payload)
    except InvalidCallback:
        return
    assert encode(callback.action, *callback.args) == payload


@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_encoded_payloads_fit_telegram(product_id: int) -> None:
    assert len(encode("prod", product_id).encode()) <= MAX_BYTES
    assert decode(encode("prod", product_id)).int(0) == product_id


@pytest.mark.parametrize("value", [2**31, 2**32 + 7, 2**63 - 1])
def test_ids_beyond_the_32_bit_columns_are_refused(value: int) -> None:
    """PostgreSQL's INTEGER ids stop at 2^31-1: larger ones never reach asyncpg as an error."""
    for payload in (f"1:prod:{value}", f"1:order:{value}", f"1:mord:accept:{value}"):
        with pytest.raises(InvalidCallback):
            decode(payload)
    with pytest.raises(ValueError):
        encode("pay", value)


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError):
        encode("lang", "has space")
    with pytest.raises(ValueError):
        encode("prod", -5)
