"""The starter word lists every site begins with (each site adds its own, or switches these off).

Selected from "List of Dirty, Naughty, Obscene, and Otherwise Bad Words" (English list) by
Shutterstock, https://github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words,
licensed under Creative Commons Attribution 4.0 International
(https://creativecommons.org/licenses/by/4.0/). Changes: a subset only, split into banned
(reject: slurs and pornographic spam) and suspect (hold: profanity); words a news comment uses
innocently ("sex", "rape", "nude", "escort", "suck") are left out, and so is "xxx" (the
normaliser reads stretched letters as one: it would match every "x"); "phuck", "fck", "fucker",
"dickhead", "whore", "chink", "cumshot" and "gangbang" are this project's additions.
"""

from __future__ import annotations

WORDLIST_VERSION = "ldnoobw-en-subset-1"

STARTER_BANNED: tuple[str, ...] = (
    "nigger",
    "nigga",
    "faggot",
    "kike",
    "spic",
    "wetback",
    "chink",
    "raghead",
    "towelhead",
    "jigaboo",
    "jiggaboo",
    "darkie",
    "slanteye",
    "tranny",
    "paki",
    "blowjob",
    "blow job",
    "handjob",
    "rimjob",
    "bukkake",
    "camwhore",
    "camslut",
    "creampie",
    "deepthroat",
    "gangbang",
    "gang bang",
    "jailbait",
    "cumshot",
    "pthc",
    "goatse",
    "two girls one cup",
    "porno",
)

STARTER_SUSPECT: tuple[str, ...] = (
    "fuck",
    "fucking",
    "fucker",
    "fuckin",
    "motherfucker",
    "phuck",
    "fck",
    "shit",
    "bullshit",
    "shitty",
    "cunt",
    "twat",
    "asshole",
    "arsehole",
    "bitch",
    "bitches",
    "bastard",
    "dickhead",
    "cock",
    "pussy",
    "wank*",
    "tosser",
    "slut",
    "whore",
    "porn",
    "dildo",
)
