"""Word families: the forms of a listed word ("kill" also reads kills, killed, killing), so the
concept rules name a word once and match it in any tense or number."""

from __future__ import annotations

from bot.crisis.normalise import squeeze

_VOWELS = frozenset("aeiou")
_SIBILANT_ENDS = ("s", "x", "z", "ch", "sh", "o")

# Forms the regular endings cannot make. Each line: the plain form, then its other forms.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "be": ("am", "is", "are", "was", "were", "been", "being"),
    "beat": ("beaten",),
    "become": ("became",),
    "bite": ("bitten",),
    "bleed": ("bled",),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "build": ("built",),
    "burn": ("burnt",),
    "buy": ("bought",),
    "catch": ("caught",),
    "choose": ("chose", "chosen"),
    "come": ("came",),
    "cut": ("cut",),
    "deal": ("dealt",),
    "do": ("did", "done", "does"),
    "draw": ("drew", "drawn"),
    "drink": ("drank", "drunk"),
    "drive": ("drove", "driven"),
    "eat": ("ate", "eaten"),
    "fall": ("fell", "fallen"),
    "feel": ("felt",),
    "fight": ("fought",),
    "find": ("found",),
    "fly": ("flew", "flown"),
    "forget": ("forgot", "forgotten"),
    "freeze": ("froze", "frozen"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "go": ("went", "gone", "goes"),
    "grab": ("grabbed",),
    "hang": ("hung",),
    "have": ("has", "had"),
    "hear": ("heard",),
    "hide": ("hid", "hidden"),
    "hit": ("hit",),
    "hold": ("held",),
    "hurt": ("hurt",),
    "keep": ("kept",),
    "kneel": ("knelt",),
    "know": ("knew", "known"),
    "lay": ("laid",),
    "lead": ("led",),
    "leave": ("left",),
    "let": ("let",),
    "lie": ("lay", "lain", "lying"),
    "lose": ("lost",),
    "make": ("made",),
    "mean": ("meant",),
    "meet": ("met",),
    "pay": ("paid",),
    "put": ("put",),
    "quit": ("quit",),
    "read": ("read",),
    "ride": ("rode", "ridden"),
    "ring": ("rang", "rung"),
    "rise": ("rose", "risen"),
    "run": ("ran",),
    "say": ("said",),
    "see": ("saw", "seen"),
    "seek": ("sought",),
    "sell": ("sold",),
    "send": ("sent",),
    "set": ("set",),
    "shake": ("shook", "shaken"),
    "shoot": ("shot",),
    "shut": ("shut",),
    "sink": ("sank", "sunk"),
    "sit": ("sat",),
    "slay": ("slew", "slain"),
    "sleep": ("slept",),
    "slit": ("slit",),
    "speak": ("spoke", "spoken"),
    "spend": ("spent",),
    "stand": ("stood",),
    "steal": ("stole", "stolen"),
    "stick": ("stuck",),
    "sting": ("stung",),
    "strike": ("struck",),
    "swallow": ("swallowed",),
    "swear": ("swore", "sworn"),
    "swim": ("swam", "swum"),
    "take": ("took", "taken"),
    "teach": ("taught",),
    "tear": ("tore", "torn"),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "wake": ("woke", "woken"),
    "wear": ("wore", "worn"),
    "win": ("won",),
    "write": ("wrote", "written"),
}


# The same table by squeezed plain form ("tel" for "tell"): family words arrive squeezed.
_IRREGULAR_SQUEEZED = {squeeze(base): forms for base, forms in _IRREGULAR.items()}


def forms_of(word: str) -> set[str]:
    """The plain word and its regular and irregular forms (all lower case). A squeezed word
    ("tel", as the rules read "tell") finds its irregular forms too ("told")."""
    word = word.lower()
    found = {word, *_IRREGULAR.get(word, _IRREGULAR_SQUEEZED.get(word, ()))}
    if not word.isalpha() or len(word) < 2:
        return found
    found.update(_plural(word))
    found.update(_past(word))
    found.update(_ing(word))
    if _doubles(word):
        doubled = word + word[-1]
        found.update({doubled + "ed", doubled + "ing"})
    return found


def _plural(word: str) -> set[str]:
    """Third person and plural forms: kills, pushes, tries."""
    if word.endswith("y") and word[-2] not in _VOWELS:
        return {word[:-1] + "ies"}
    if word.endswith(_SIBILANT_ENDS):
        return {word + "es", word + "s"}
    return {word + "s"}


def _past(word: str) -> set[str]:
    """Regular past forms: killed, hoped, tried."""
    if word.endswith("e"):
        return {word + "d"}
    if word.endswith("y") and word[-2] not in _VOWELS:
        return {word[:-1] + "ied"}
    return {word + "ed"}


def _ing(word: str) -> set[str]:
    """Regular -ing forms: killing, hoping, dying."""
    if word.endswith("ie"):
        return {word[:-2] + "ying"}
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")) and len(word) > 2:
        return {word[:-1] + "ing", word + "ing"}
    return {word + "ing"}


def _doubles(word: str) -> bool:
    """Whether a short word doubles its last letter before -ed and -ing (cut, stab, slit)."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )
