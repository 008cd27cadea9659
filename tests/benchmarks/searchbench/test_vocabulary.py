from benchmarks.searchbench.vocabulary import clean_brand, parse_ids

USB_IDS = """\
# comment
046d  Logitech, Inc.
\tc077  M105 Optical Mouse
\tc52b  Unifying Receiver
\t0000  Unknown device
0bda  Realtek Semiconductor Corp.
\t8153  RTL8153 Gigabit Ethernet Adapter
C 00  (Defined at Interface level)
"""


def test_parse_ids_keeps_product_like_device_names_with_a_clean_vendor() -> None:
    assert parse_ids(USB_IDS) == [
        ("Logitech", "M105 Optical Mouse"),
        ("Logitech", "Unifying Receiver"),
        ("Realtek Semiconductor", "RTL8153 Gigabit Ethernet Adapter"),
    ]


def test_clean_brand_drops_legal_suffixes_and_non_brands() -> None:
    assert clean_brand("Logitech, Inc.") == "Logitech"
    assert clean_brand("The Coca-Cola Company") == "Coca-Cola"
    assert clean_brand("Vanguard Total Bond Market Index Fund") == ""
