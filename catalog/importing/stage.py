"""From a planned product to the rows the swap applies: what changes, and nothing else.

Pure: compares each planned product with the stored one it updates (loaded with its children
for its batch) and returns staging rows (`catalog.importing.staged`) only for products that
change, each complete; which fields the swap writes is the file's columns' business
(`swap.product_fields`, `swap.variant_fields`). The rules are the importer's (see `apply`):
a column absent from the file leaves that field alone, a variant the file no longer lists is
removed, a photo whose URL is unchanged keeps its cached Telegram file id (the swap copies it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.importing.apply import Counts, PlannedProduct
from catalog.importing.columns import ColumnMap, Field
from catalog.importing.drafts import ProductDraft, TranslationDraft, VariantDraft
from catalog.models import InventoryPolicy, Product, Variant
from money import Money

Row = dict[str, Any]


@dataclass(slots=True)
class StagedBatch:
    """One batch's staging rows, and the ids the swap needs beside them."""

    products: list[Row] = field(default_factory=list)
    variants: list[Row] = field(default_factory=list)
    images: list[Row] = field(default_factory=list)
    translations: list[Row] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)  # variants the file no longer lists
    touched: list[int] = field(default_factory=list)  # products a SKU moved away from


class Stager:
    """Turns planned products into staging rows, counting what really changes."""

    def __init__(self, columns: ColumnMap, counts: Counts, *, import_id: int, currency: str):
        self.columns = columns
        self.counts = counts
        self.import_id = import_id
        self.currency = currency

    def stage(self, seq: int, item: PlannedProduct, batch: StagedBatch) -> None:
        if item.target is None:
            self._create(seq, item, batch)
        else:
            self._update(seq, item, item.target, batch)

    def _create(self, seq: int, item: PlannedProduct, batch: StagedBatch) -> None:
        draft = item.draft
        for position, (variant, match) in enumerate(zip(draft.variants, item.matches, strict=True)):
            if match is not None:  # its SKU moves here from a product the file also imports
                batch.touched.append(match.product_id)
                self.counts.variants_updated += 1
            else:
                self.counts.variants_created += 1
            batch.variants.append(self._variant_row(seq, position, variant, match, changed=True))
        batch.products.append(self._product_row(seq, draft, None, images=True, translations=True))
        self._images(seq, draft, batch)
        self._translations(seq, draft, batch)
        self.counts.products_created += 1

    def _update(self, seq: int, item: PlannedProduct, target: Product, batch: StagedBatch) -> None:
        draft = item.draft
        changed = _differs(target, self._product_values(draft, every_field=False))
        batch.removed.extend(variant.id for variant in item.removed)
        self.counts.variants_removed += len(item.removed)
        changed |= bool(item.removed)
        variants: list[Row] = []
        for position, (variant, match) in enumerate(zip(draft.variants, item.matches, strict=True)):
            if match is None:
                self.counts.variants_created += 1
                changed = True
                variants.append(self._variant_row(seq, position, variant, None, changed=True))
                continue
            moved = match.product_id != target.id
            if moved:
                batch.touched.append(match.product_id)
            updated = moved or _differs(
                match, self._variant_values(match, variant, position, every_field=False)
            )
            if updated:
                self.counts.variants_updated += 1
                changed = True
            variants.append(self._variant_row(seq, position, variant, match, changed=updated))
        images = self.columns.has(Field.IMAGE) and _images_differ(target, draft)
        translations = bool(self.columns.translated_languages) and self._translations_differ(
            target, draft
        )
        if not (changed or images or translations):
            self.counts.products_unchanged += 1
            return
        self.counts.products_updated += 1
        batch.products.append(
            self._product_row(seq, draft, target.id, images=images, translations=translations)
        )
        batch.variants.extend(variants)
        if images:
            self._images(seq, draft, batch)
        if translations:
            self._translations(seq, draft, batch)

    # --- rows -----------------------------------------------------------------------------------
    def _product_row(
        self,
        seq: int,
        draft: ProductDraft,
        product_id: int | None,
        *,
        images: bool,
        translations: bool,
    ) -> Row:
        return {
            "import_id": self.import_id,
            "seq": seq,
            "product_id": product_id,
            "is_new": product_id is None,
            "set_images": images,
            "set_translations": translations,
            "handle": draft.handle,
            **self._product_values(draft, every_field=True),
        }

    def _variant_row(
        self,
        seq: int,
        position: int,
        variant: VariantDraft,
        match: Variant | None,
        *,
        changed: bool,
    ) -> Row:
        return {
            "import_id": self.import_id,
            "seq": seq,
            "position": position,
            "variant_id": None if match is None else match.id,
            "changed": changed,
            **self._variant_values(None, variant, position, every_field=True),
        }

    def _images(self, seq: int, draft: ProductDraft, batch: StagedBatch) -> None:
        batch.images.extend(
            {"import_id": self.import_id, "seq": seq, "position": position, "url": image.url,
             "alt": image.alt}
            for position, image in enumerate(draft.images)
        )  # fmt: skip

    def _translations(self, seq: int, draft: ProductDraft, batch: StagedBatch) -> None:
        batch.translations.extend(
            {"import_id": self.import_id, "seq": seq, "language": t.language,
             **translation_values(t)}
            for t in draft.translations
        )  # fmt: skip

    # --- values, as the file gives them -------------------------------------------------------
    def _product_values(self, draft: ProductDraft, *, every_field: bool) -> Row:
        values: Row = {"title": draft.title}
        given = self.columns.has if not every_field else (lambda _field: True)
        if given(Field.DESCRIPTION):
            values["description"] = draft.description
        if given(Field.BRAND):
            values["brand"] = draft.brand
        if given(Field.CATEGORY) or given(Field.PRODUCT_TYPE):
            values["category"] = draft.category
        if given(Field.TAGS) or given(Field.PRODUCT_TYPE):
            values["tags"] = list(draft.tags)
        if given(Field.STATUS) or given(Field.PUBLISHED):
            values["status"] = draft.status.value
        if every_field or self.columns.has_options:
            names = (*draft.option_names, "", "", "")
            values |= {"option1_name": names[0], "option2_name": names[1], "option3_name": names[2]}
        return values

    def _variant_values(
        self, stored: Variant | None, variant: VariantDraft, position: int, *, every_field: bool
    ) -> Row:
        given = self.columns.has if not every_field else (lambda _field: True)
        currency = self.currency
        values: Row = {
            "position": position,
            "price_minor": Money(variant.price, currency).to_minor(),
        }
        if given(Field.SKU):
            values["sku"] = variant.sku
        if every_field or self.columns.has_options:
            option_values = (*variant.option_values, "", "", "")
            values |= {
                "option1": option_values[0],
                "option2": option_values[1],
                "option3": option_values[2],
            }
        if given(Field.COMPARE_AT_PRICE):
            values["compare_at_minor"] = (
                None
                if variant.compare_at_price is None
                else Money(variant.compare_at_price, currency).to_minor()
            )
        if given(Field.STOCK):
            values["stock"] = variant.stock
        if given(Field.INVENTORY_POLICY) or given(Field.INVENTORY_TRACKER):
            values["inventory_policy"] = variant.inventory_policy.value
            denied = variant.inventory_policy is InventoryPolicy.DENY
            if stored is not None and denied and (stored.stock or 0) < 0:
                values.setdefault("stock", 0)  # oversold before, and no longer allowed to be
        if given(Field.BARCODE):
            values["barcode"] = variant.barcode
        if given(Field.GRAMS):
            values["grams"] = variant.grams
        return values

    def _translations_differ(self, product: Product, draft: ProductDraft) -> bool:
        stored = {t.language: t for t in product.translations}
        wanted = {t.language: t for t in draft.translations}
        for language in self.columns.translated_languages:
            old, new = stored.get(language), wanted.get(language)
            if old is None and new is None:
                continue
            if old is None or new is None or _differs(old, translation_values(new)):
                return True
        return False


def translation_values(new: TranslationDraft) -> Row:
    values: dict[str, dict[str, str]] = {}
    for number, value, said in new.option_values:
        values.setdefault(str(number), {})[value] = said
    return {
        "title": new.title,
        "description": new.description,
        "option_names": list(new.option_names) or None,
        "option_values": values or None,
    }


def _images_differ(product: Product, draft: ProductDraft) -> bool:
    stored = [(image.url, image.alt) for image in product.images]
    positions = [image.position for image in product.images]
    wanted = [(image.url, image.alt) for image in draft.images]
    return stored != wanted or positions != list(range(len(wanted)))


def _differs(stored: object, values: Mapping[str, Any]) -> bool:
    """True if any value differs from the stored one (so unchanged rows stay unwritten)."""
    return any(getattr(stored, name, None) != value for name, value in values.items())
