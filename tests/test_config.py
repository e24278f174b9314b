from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG, ConfigError, load_config


def test_default_config_works_without_edits() -> None:
    config = load_config()
    assert DEFAULT_CONFIG.exists()
    assert config.store.url.startswith("sqlite:///")
    assert config.sources.locations == ["seeds/"]
    assert config.output.adapters == ["console"]


def test_db_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDIGEST_DB_URL", "sqlite:///from-env.db")
    assert load_config().store.url == "sqlite:///from-env.db"
    assert load_config(db_url="sqlite:///from-flag.db").store.url == "sqlite:///from-flag.db"


@pytest.mark.parametrize(("text", "key"), [
    ("[digest]\nmax_chars = 'lots'\n", "digest.max_chars"),
    ("[digest]\nmax_sentences = 1\n", "digest.max_sentences"),
    ("[store]\nurl = 'mysql://x'\n", "store.url"),
    ("[fetch]\ntimeout = -1\n", "fetch.timeout"),
    ("[nonsense]\nx = 1\n", "nonsense"),
    ("[models]\nruntime = 'gpu-magic'\n", "models.runtime"),
])
def test_bad_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert key in message and "\n" not in message


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[store\nurl=")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_secrets_only_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[secrets]\ntelegram_bot_token = 'x'\n")
    with pytest.raises(ConfigError, match="environment"):
        load_config(path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SECRET")
    config = load_config()
    assert config.secrets.telegram_bot_token == "123:SECRET"
    assert "SECRET" not in repr(config) and "SECRET" not in config.model_dump_json()


@pytest.mark.parametrize(("text", "needs"), [
    ("[digest]\nbackend = 'transformers'\n", "backend_model"),
    ("[digest]\nbackend = 'openai'\n", "backend_url"),
])
def test_abstractive_backend_needs_its_model(tmp_path: Path, text: str, needs: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDIGEST_LLM_URL", raising=False)
    path = tmp_path / "b.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needs):
        load_config(path)
