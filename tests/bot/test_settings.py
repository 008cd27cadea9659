import pytest

from bot.settings import ConfigurationError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        "TELEGRAM_TOKEN",
        "TELEGRAM_API_URL",
        "DATABASE_URL",
        "DEFAULT_CURRENCY",
        "WORKER_NAME",
    ):
        monkeypatch.delenv(f"CHATSHOP_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_need_nothing() -> None:
    settings = load_settings()
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.default_currency == "USD"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHATSHOP_TELEGRAM_TOKEN", "not-a-token"),
        ("CHATSHOP_TELEGRAM_API_URL", "ftp://example"),
        ("CHATSHOP_DATABASE_URL", "mysql://root@localhost/db"),
        ("CHATSHOP_DEFAULT_CURRENCY", "DOLLARS"),
        ("CHATSHOP_FX_MAX_AGE_HOURS", "soon"),
        ("CHATSHOP_WORKER_NAME", "web:1"),  # the name ends at the token's first colon
        ("CHATSHOP_WORKER_NAME", "w" * 21),  # name and token must fit the claim_token column
    ],
)
def test_a_bad_setting_is_one_sentence_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable} is invalid: ")
    assert message.endswith(".") and "\n" not in message


def test_env_file_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text("CHATSHOP_DEFAULT_CURRENCY=eur\n")
    assert load_settings().default_currency == "EUR"


def test_a_worker_name_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().worker_name is None
    monkeypatch.setenv("CHATSHOP_WORKER_NAME", "")
    assert load_settings().worker_name is None
    monkeypatch.setenv("CHATSHOP_WORKER_NAME", "chatshop-web-0.eu_1")
    assert load_settings().worker_name == "chatshop-web-0.eu_1"
