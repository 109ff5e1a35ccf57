"""What each segment of the default pack says (generate.py speaks these with espeak-ng)."""

from __future__ import annotations

from central.calling.voice import builder

LETTER_NAMES = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "E": "e", "F": "ép", "G": "giê", "H": "hát",
    "I": "i", "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê",
    "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê", "W": "vê kép",
    "X": "ích xì", "Y": "i dài", "Z": "dét",
}  # fmt: skip
DIGIT_NAMES = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

SPOKEN: dict[str, str] = {
    builder.CALL: "Mời công dân có số thứ tự",
    builder.CALL_PRIORITY: "Mời công dân ưu tiên có số thứ tự",
    builder.TO_COUNTER: "đến quầy số",
    builder.TEN: "mười",
    builder.TENS: "mươi",
    builder.ONE_AFTER_TENS: "mốt",
    builder.FIVE_AFTER_TEN: "lăm",
    builder.FOUR_AFTER_TENS: "tư",
    **{builder.digit(str(d)): name for d, name in enumerate(DIGIT_NAMES)},
    **{builder.letter(c): name for c, name in LETTER_NAMES.items()},
}
