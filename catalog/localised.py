"""A product's words in one language: its title, option names and option values.

The product's own columns are in the merchant's catalog language; `ProductTranslation` rows add
other languages, matched by base language ("zh_Hans" finds "zh"), each field falling back to the
merchant's own words where it is not translated. The product's translations must be loaded.
"""

from __future__ import annotations

from catalog.models import Product, ProductTranslation, Variant


def base_language(code: str) -> str:
    return code.replace("-", "_").split("_")[0].lower()


def translation_in(product: Product, language: str) -> ProductTranslation | None:
    """The product's translation into `language` (exact tag first, then the base language)."""
    wanted = language.replace("-", "_").lower()
    exact = [t for t in product.translations if t.language.replace("-", "_").lower() == wanted]
    if exact:
        return exact[0]
    base = base_language(language)
    return next((t for t in product.translations if base_language(t.language) == base), None)


def title_in(product: Product, language: str) -> str:
    translation = translation_in(product, language)
    return translation.title if translation is not None and translation.title else product.title


def option_names_in(product: Product, language: str) -> tuple[str, ...]:
    """The option names in `language`, each falling back to the merchant's own."""
    names = product.option_names
    translation = translation_in(product, language)
    given = list(translation.option_names or []) if translation is not None else []
    return tuple(
        (given[index] if index < len(given) and given[index] else name)
        for index, name in enumerate(names)
    )


def option_value_in(product: Product, number: int, value: str, language: str) -> str:
    """Option `number`'s (1-3) `value` in `language`, else as the merchant wrote it."""
    translation = translation_in(product, language)
    if translation is None or not translation.option_values:
        return value
    return (translation.option_values.get(str(number)) or {}).get(value) or value


def options_in(product: Product, variant: Variant, language: str) -> dict[str, str]:
    """{"Farbe": "Schwarz"}: a variant's options as a reader of `language` sees them."""
    names = option_names_in(product, language)
    values = variant.option_values[: len(names)]
    return {
        name: option_value_in(product, number, value, language)
        for number, (name, value) in enumerate(zip(names, values, strict=True), start=1)
    }
