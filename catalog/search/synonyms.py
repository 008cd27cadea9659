"""Everyday names for the same kind of product, and Chinese cut into words.

One table serves two users. The storefront offers the query with a word swapped for a synonym
when the buyer's own words found nothing (`wishes.alternatives`, every language). The engine
itself reads the Chinese and Japanese groups: a title that contains a word of a group is indexed
with the group's *kind term* (``~k:`` + the group's first word, found by scanning the unspaced
title as colours are), and a query word of that group matches the kind term, so "红色杯子"
finds a "红色马克杯" without a second search. Latin-script groups stay with the storefront: a
word there is matched whole, and a synonym in the engine would also widen every query that uses
it.

Chinese queries are cut into words with `jieba` (loaded on first use, never at import: its
dictionary takes about a second to load), so the engine matches the buyer's words rather than
the character pairs that straddle them ("红色的杯子" is 红色 + 杯子, not 色的 or 的杯).
"""

from __future__ import annotations

import re
from functools import cache
from types import ModuleType
from typing import Final

from catalog.search.text import fold, is_cjk

KIND_PREFIX: Final = "~k:"
WORD_PREFIX: Final = "~w:"
"""'~' never survives tokenisation, so a kind term cannot clash with a word. A group word of
three or more characters is also indexed whole (``~w:`` + the word): the buyer who typed it
sees that word's products above its synonyms'."""

PARTICLES: Final = re.compile(r"[的地得了吗呢啊呀吧]")

SYNONYMS: Final = {
    "zh": [
        "杯子 杯 马克杯 咖啡杯 水杯 茶杯 随行杯 保温杯 搪瓷杯 保温瓶",
        "耳机 耳麦 头戴式耳机 蓝牙耳机",
        "鞋 鞋子 跑鞋 跑步鞋 运动鞋 球鞋",
        "手机壳 手机套 保护壳",
        "充电器 充电头 快充",
        "充电宝 移动电源",
        "音箱 音响 喇叭",
        "蜡烛 香薰蜡烛",
        "毯子 盖毯 毛毯",
        "口红 唇膏",
        "茶壶 壶",
        "卫衣 连帽衫 帽衫",
        "外套 夹克 羽绒服 棉服",
        "裤子 牛仔裤",
        "毛衣 针织衫",
        "帽子 毛线帽",
        "拖鞋 人字拖",
        "靴子 靴",
        "锅 煎锅 平底锅 炒锅",
        "刀 菜刀 主厨刀",
        "台灯 灯 护眼灯",
        "熊 泰迪熊 玩具熊 毛绒玩具 玩偶 公仔",
        "吹风机 电吹风",
        "牙刷 电动牙刷",
        "礼物 礼品 礼盒",
        "背包 双肩包 书包 旅行包",
        "电脑 笔记本电脑 笔记本 手提电脑",
        "手机 智能手机",
        "墨镜 太阳镜",
        "围巾 围脖",
    ],
    "ja": [
        "ヘッドホン ヘッドフォン ヘッドセット",
        "イヤホン イヤフォン",
        "マグカップ マグ",
        "スニーカー 運動靴",
        "リュック リュックサック バックパック",
        "パーカー フーディー",
        "ノートパソコン ノートpc パソコン",
        "スマートフォン スマホ",
    ],
    "en": [
        "mug mugs cup cups",
        "headphones earphones earbuds headset",
        "sneakers trainers",
        "hoodie sweatshirt",
        "gift present",
        "jacket coat",
        "pan skillet",
        "couch sofa",
    ],
    "es": ["taza tazas vaso", "auriculares cascos audifonos", "sudadera hoodie"],
    "ru": ["кружка кружку кружки чашка чашку", "худи толстовка толстовку", "мишка мишку медведь"],
    "de": ["tasse tassen becher", "kopfhorer headset", "hoodie kapuzenpullover"],
    "fr": ["tasse tasses mug mugs", "ecouteurs casque", "sweat hoodie"],
    "pt": ["caneca canecas xicara", "fone fones headphone", "moletom hoodie", "ursinho urso"],
    "ar": ["كوب فنجان", "سماعات سماعه", "هودي سويت شيرت"],
}


@cache
def groups() -> dict[str, tuple[str, ...]]:
    """Folded word → the other words of its group."""
    table: dict[str, dict[str, None]] = {}
    for lines in SYNONYMS.values():
        for line in lines:
            words = [fold(word) for word in line.split()]
            for word in words:  # a word in two languages' groups ("tasse") gets both
                table.setdefault(word, {}).update(dict.fromkeys(w for w in words if w != word))
    return {word: tuple(others) for word, others in table.items()}


@cache
def _kinds() -> dict[str, tuple[str, ...]]:
    """Folded CJK word → kind terms of the groups it belongs to."""
    table: dict[str, dict[str, None]] = {}
    for language in ("zh", "ja"):
        for line in SYNONYMS[language]:
            words = [fold(word) for word in line.split()]
            for word in words:
                table.setdefault(word, {})[KIND_PREFIX + words[0]] = None
    return {word: tuple(kinds) for word, kinds in table.items()}


def kinds_of(word: str) -> tuple[str, ...]:
    """Kind terms a folded query word matches (empty for a word in no CJK group)."""
    return _kinds().get(word, ())


@cache
def _kind_pattern() -> re.Pattern[str]:
    # One-character words ("杯", "灯") are left to the index's single characters: inside a
    # title they are as often part of another word ("杯垫" is a coaster) as the word itself.
    words = sorted((w for w in _kinds() if len(w) >= 2), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def kind_words(run: str) -> list[tuple[str, bool]]:
    """A CJK run cut around the group words inside it: (piece, is a group word) in order, so
    "ワイヤレスヘッドフォン" is ワイヤレス + ヘッドフォン without a Japanese dictionary."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for match in _kind_pattern().finditer(run):
        if match.start() > pos:
            pieces.append((run[pos : match.start()], False))
        pieces.append((match.group(), True))
        pos = match.end()
    if pos < len(run):
        pieces.append((run[pos:], False))
    return pieces


def kind_scan(folded: str) -> list[str]:
    """Kind terms of the group words inside a folded Chinese or Japanese title (and the long
    words themselves)."""
    if folded.isascii() or not is_cjk(folded):  # Cyrillic and Arabic titles: nothing to find
        return []
    found: dict[str, None] = {}
    for match in _kind_pattern().finditer(folded):
        word = match.group()
        if len(word) >= 3:
            found[WORD_PREFIX + word] = None
        found.update(dict.fromkeys(_kinds()[word]))
    return list(found)


@cache
def _jieba() -> ModuleType:
    """The Chinese segmenter, loaded once on first use (its dictionary is read then)."""
    import jieba  # heavy: loaded only when a Chinese query needs words

    jieba.setLogLevel(60)
    jieba.initialize()
    module: ModuleType = jieba
    return module


_HAN_ONLY: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def cut_chinese(run: str) -> list[str]:
    """Words of a run of Chinese characters, particles dropped (jieba knows no Japanese kana,
    so only Han-only runs are given to it)."""
    if len(run) <= 2 or not _HAN_ONLY.fullmatch(run):
        return [run]
    return [w for w in _jieba().lcut(run) if w.strip() and not PARTICLES.fullmatch(w)] or [run]


def words_of(text: str) -> list[str]:
    """Words of a query: Chinese runs cut by jieba, everything else at spaces."""
    out: list[str] = []
    for piece in fold(text).split():
        if is_cjk(piece) and len(piece) > 1:
            out += [w for w in _jieba().lcut(piece) if w.strip() and not PARTICLES.fullmatch(w)]
        else:
            out.append(piece)
    return out
