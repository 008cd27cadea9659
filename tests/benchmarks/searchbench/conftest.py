"""A small hand-made vocabulary, so the benchmark's code is tested without fetching anything."""

from __future__ import annotations

import pytest

from benchmarks.searchbench.vocabulary import LocaleCommerce, Vocabulary

BRANDS = (
    "Acme Audio",
    "Borvik",
    "Calyxo",
    "Dravenna",
    "Elmtrex",
    "Fjordane",
    "Gravicon",
    "Halvorix",
    "Istrano",
    "Jovantis",
    "Kestrelle",
    "Lumivar",
    "Morvanta",
    "Nexquill",
    "Oravind",
    "Pellucid",
    "Quarvex",
    "Rhomblit",
    "Sylvanor",
    "Tazmerin",
    "Ulvestra",
    "Vortigo",
    "Wexmoor",
    "Xandrite",
    "Yarrowby",
    "Zephyrine",
    "Aldermoss",
    "Brackwen",
    "Corvalis",
    "Dunmarrow",
    "Eskerlund",
    "Faroway",
    "Glimmerin",
    "Hollowick",
    "Ironvale",
    "Juniperra",
    "Kilnworth",
    "Larkspire",
    "Mossgrave",
    "Nettlefold",
)


def _commerce(words: str) -> LocaleCommerce:
    adjectives, materials, products, departments, colors = (g.split() for g in words.split("|"))
    return LocaleCommerce(adjectives, materials, products, departments, colors)


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    return Vocabulary(
        commerce={
            "en": _commerce(
                "Ergonomic Handmade Sleek Rustic Gorgeous Refined Tasty Elegant|"
                "Granite Bamboo Steel Cotton Wooden Plastic Rubber|"
                "Chair Table Keyboard Towels Gloves Shoes Hat Bike Lamp Mouse|"
                "Home Garden Sports Toys Books|red blue green black white purple"
            ),
            "ru": _commerce(
                "Эргономичный Гладкий Практичный|Стальной Деревянный Хлопковый|"
                "Стул Стол Перчатки Шапка Кепка|Дом Сад|красный синий зелёный"
            ),
            "zh": _commerce(
                "实用的 华丽的 新鲜|塑料 木制 钢铁|椅子 桌子 手套 键盘|家居 花园|红色 蓝色 绿色"
            ),
            "ar": _commerce(
                "رائع أنيق عملي|خشبي فولاذي قطني|كرسي طاولة قفازات حذاء|منزل حديقة|أحمر أزرق أخضر"
            ),
        },
        brands=list(BRANDS),
        usb_devices=[
            ("Logitech", "Wireless Mouse M185"),
            ("Logitech", "Gaming Keyboard G413"),
            ("Kingston", "DataTraveler Flash Drive"),
            ("SanDisk", "Cruzer Blade Flash Drive"),
            ("Realtek", "Gigabit Ethernet Adapter"),
            ("Canon", "PIXMA Photo Printer"),
            ("Epson", "Perfection Photo Scanner"),
            ("Plantronics", "Wireless Headset Adapter"),
            ("Generic", "Marlowe Trackball Pointer"),  # held out: words for negative queries
            ("Generic", "Nimbara Drawing Tablet"),
            ("Generic", "Kryptex Bluetooth Dongle"),
        ],
        pci_devices=[("Intel", "Ethernet Controller I210"), ("NVIDIA", "GeForce GTX 1080")],
        food={"fruits": ["Apple", "Banana", "Mango"], "drinks": ["Green Tea", "Espresso"]},
        phones=["Google Pixel 7", "Apple iPhone 12", "Samsung Galaxy S21"],
        computer_makers=["Lenovo", "Dell", "Asus"],
        cpus=["Intel Core i5", "AMD Ryzen 7"],
        graphics=["Intel Iris Graphics"],
        ram_sizes=["8GB", "16GB"],
        screen_sizes=["13.3 inch", "15.6 inch"],
        cars=["Toyota Corolla", "Honda Civic", "Nissan Patrol"],
        misspellings={"wireless": ["wireles", "wirless"], "keyboard": ["keybord"]},
    )
