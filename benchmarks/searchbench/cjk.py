"""Chinese and Japanese words of our own, and the ways buyers mistype and rephrase them.

faker's Chinese lists hold everyday goods (键盘, 鞋子, 帽子) but hardly a word with an everyday
synonym, and faker has no Japanese commerce words at all (only colours). The lists below were
written for this benchmark the way shop listings and buyers write: the Chinese nouns are the
names listings use (马克杯, 双肩包) grouped with what buyers type for them (杯子, 背包); the
Japanese names are the katakana and kanji of Japanese shop titles, with the spelling variants
buyers really type (ヘッドホン/ヘッドフォン).

The damage functions make one wrong or swapped character, the slips a pinyin or kana input
method produces: a character for another, two neighbours swapped, a kana with the wrong voicing
or vowel, a long-vowel mark or small ッ dropped.
"""

from __future__ import annotations

import random
import re
from typing import Final

# Groups of words that name the same kind of product. The first word of each group appears in
# titles; any other word of the group is what a buyer may type instead. A word a buyer types
# never appears in a title as a different product kind.
ZH_SYNONYMS: Final = (
    ("马克杯", "杯子", "咖啡杯", "水杯"),
    ("保温杯", "杯子", "水杯", "保温瓶"),
    ("运动鞋", "跑鞋", "球鞋"),
    ("头戴式耳机", "耳机", "耳麦"),
    ("双肩包", "背包", "书包"),
    ("笔记本电脑", "手提电脑", "笔记本"),
    ("智能手机", "手机"),
    ("平底锅", "煎锅", "炒锅"),
    ("连帽衫", "卫衣", "帽衫"),
    ("羽绒服", "外套", "棉服"),
    ("太阳镜", "墨镜"),
    ("移动电源", "充电宝"),
    ("电吹风", "吹风机"),
    ("围巾", "围脖"),
    ("毛绒玩具", "玩偶", "公仔"),
    ("台灯", "灯", "护眼灯"),
)
ZH_ADJECTIVES: Final = ("便携式", "防水", "轻便", "加厚", "大容量", "北欧风", "复古", "简约")

# Japanese product names as listings write them, each with the variants buyers type.
JA_PRODUCTS: Final = (
    "ヘッドホン",
    "イヤホン",
    "スピーカー",
    "キーボード",
    "マウス",
    "モニター",
    "ノートパソコン",
    "タブレット",
    "スマートフォン",
    "デジタルカメラ",
    "プリンター",
    "マグカップ",
    "タンブラー",
    "フライパン",
    "スニーカー",
    "リュックサック",
    "ショルダーバッグ",
    "パーカー",
    "ジャケット",
    "セーター",
    "マフラー",
    "サングラス",
    "ドライヤー",
    "トースター",
    "コーヒーメーカー",
    "ブランケット",
    "クッション",
    "スーツケース",
    "ワンピース",
    "カーテン",
    "腕時計",
    "水筒",
    "電気ケトル",
    "加湿器",
)
JA_MODIFIERS: Final = (
    "ワイヤレス",
    "ポータブル",
    "折りたたみ",
    "軽量",
    "防水",
    "大容量",
    "コンパクト",
    "高級",
    "木製",
    "ステンレス",
    "北欧風",
    "子供用",
    "メンズ",
    "レディース",
)

HAN: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
KATAKANA: Final = re.compile(r"[\u30a1-\u30fa]")

# Katakana rows: a wrong vowel keeps the consonant (ホ → ハ), a wrong voicing keeps the row.
_ROWS: Final = (
    "アイウエオ",
    "カキクケコ",
    "ガギグゲゴ",
    "サシスセソ",
    "ザジズゼゾ",
    "タチツテト",
    "ダヂヅデド",
    "ナニヌネノ",
    "ハヒフヘホ",
    "バビブベボ",
    "パピプペポ",
    "マミムメモ",
    "ラリルレロ",
)
_YA: Final = "ヤユヨ"
_WA: Final = "ワヲン"
_VOICING: Final = {"カ": "ガ", "サ": "ザ", "タ": "ダ", "ハ": "バ"}
# Spellings buyers use for the same sound (ヘッドホン, ヘッドフォン; バイオリン, ヴァイオリン).
_SOUND_VARIANTS: Final = (
    ("ホ", "フォ"),
    ("フォ", "ホ"),
    ("ブ", "ヴ"),
    ("ヴ", "ブ"),
    ("ティ", "チ"),
)


def _voiced_twins() -> dict[str, str]:
    """Each kana → the same kana with another voicing (ト ↔ ド, ハ → バ/パ)."""
    twins: dict[str, str] = {}
    rows = {row[0]: row for row in _ROWS}
    for plain, voiced in _VOICING.items():
        for a, b in zip(rows[plain], rows[voiced], strict=True):
            twins[a], twins[b] = b, a
    for a, b in zip("ハヒフヘホ", "パピプペポ", strict=True):
        twins.setdefault(b, a)
    return twins


_TWINS: Final = _voiced_twins()


def _vowel_neighbours(kana: str) -> str:
    for row in (*_ROWS, _YA, _WA):
        if kana in row:
            return row.replace(kana, "")
    return ""


def kana_typo(word: str, rng: random.Random) -> str | None:
    """``word`` with one kana slip; None when the word has no katakana to slip on."""
    spots = [i for i, ch in enumerate(word) if KATAKANA.match(ch)]
    if len(spots) < 2:
        return None
    kind = rng.choices(("swap", "voicing", "vowel", "variant", "drop"), (3, 2, 2, 2, 1))[0]
    if kind == "variant":
        options = [(a, b) for a, b in _SOUND_VARIANTS if a in word]
        if options:
            a, b = rng.choice(options)
            return word.replace(a, b, 1)
        kind = "swap"
    if kind == "drop":
        marks = [i for i, ch in enumerate(word) if ch in "ーッ"]
        if marks:
            i = rng.choice(marks)
            return word[:i] + word[i + 1 :]
        kind = "swap"
    i = rng.choice(spots)
    if kind == "voicing" and word[i] in _TWINS:
        return word[:i] + _TWINS[word[i]] + word[i + 1 :]
    if kind in ("voicing", "vowel") and _vowel_neighbours(word[i]):
        return word[:i] + rng.choice(_vowel_neighbours(word[i])) + word[i + 1 :]
    pairs = [j for j in range(1, len(word)) if word[j - 1] != word[j] and word[j] != "ー"]
    if not pairs:
        return None
    j = rng.choice(pairs)
    return word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]


def hanzi_typo(word: str, rng: random.Random, characters: str) -> str | None:
    """``word`` with one wrong Han character (taken from ``characters``) or, one time in four,
    two neighbouring characters swapped; None for a word of fewer than two Han characters."""
    spots = [i for i, ch in enumerate(word) if HAN.match(ch)]
    if len(spots) < 2:
        return None
    if rng.random() < 0.25:
        pairs = [j for j in range(1, len(word)) if word[j - 1] != word[j]]
        if pairs:
            j = rng.choice(pairs)
            return word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    i = rng.choice(spots)
    for _ in range(10):
        new = rng.choice(characters)
        if new != word[i]:
            return word[:i] + new + word[i + 1 :]
    return None


def zh_synonym_groups() -> dict[str, tuple[str, ...]]:
    """Title noun → the words a buyer may type for it."""
    return {group[0]: group[1:] for group in ZH_SYNONYMS}
