"""Print the language table of quality/langcodes.py from Debian's iso-codes data.

Run once by hand when the set of identified languages changes:
    python tools/make_langcodes.py /usr/share/iso-codes/json > /tmp/table.txt
It covers every language with an ISO 639-1 code and every ISO 639-3 code the
identifier (heliport) can output; names are the English reference names,
shortened ("Malay (macrolanguage)" -> "Malay").
"""

import json
import re
import sys
from pathlib import Path

EXTRA_639_3 = """abk ace adz afr aii ame amh amr ara arl arn asm ast ayr aze bak bar bcl bel ben boa bod bpy bre bul cat cbu
cdo ceb ces che chk cho chr chv chy ckb cmn cnh cor cos cym dan deu dik diq div ell eng epo est eus ewe ext fao fij fin
fon fra fry gaz gla gle glg glv gom grn gsw guj hat hbs heb hin hmo hsb hun hus huu hye ibo ido iku ilo ina isl ita izh
jpn kac kal kam kan kat kaz kbd kbp kca kea khm kir kmr knc koi kor kpv krc ksh lao lat lav lin lit liv lmo ltz lud lug
luo lus mal mar mcd mcf mdf mhr mkd mlg mlt mns mon mri mrj msa mwl mya myv nav nep nhn nio nld nno nob nso nus oci olo
ori oss pag pam pan pbt pes pfl pli pms pnb pol pon por que roh ron rus sag sah sat scn sgs shk shn sin sjd sjk sju slk
slv sma sme smj smn sms sna snd som sot spa sqi srd swa swe tam tat tca tel tet tgk tgl tha tir tso tuk tur twi tzh udm
uig ukr umb urd uzn vie vls vol vot war wln xmf yid yor zul zsm ind min vro wol xho uzb ful orm nya ibo hau jav sun pnb
ckb ura yrk""".split()

# individual languages written under their macrolanguage's code (quality/langcodes.py MACRO_MEMBERS)
MACRO_MEMBERS = set("cmn pes prs gaz uzn uzs pbt zsm azj npi ory swh ekk lvs khk kmr".split())

SHORT = {"el": "Greek", "ne": "Nepali", "or": "Odia", "ms": "Malay", "sw": "Swahili", "fa": "Persian",
         "ny": "Chichewa", "ht": "Haitian Creole", "nb": "Norwegian Bokmål", "nn": "Norwegian Nynorsk",
         "ky": "Kyrgyz", "pa": "Punjabi", "ps": "Pashto", "gd": "Scottish Gaelic", "dv": "Dhivehi",
         "si": "Sinhala", "km": "Khmer", "ca": "Catalan", "es": "Spanish", "nl": "Dutch", "lb": "Luxembourgish",
         "mi": "Maori", "ug": "Uyghur", "za": "Zhuang", "ii": "Sichuan Yi", "to": "Tongan", "oc": "Occitan",
         "cu": "Church Slavic", "kl": "Greenlandic", "rm": "Romansh", "li": "Limburgish", "sh": "Serbo-Croatian"}


def short(name: str) -> str:
    name = re.sub(r"\s*\((macrolanguage|individual language|1453-|post 1500)\)", "", name)
    return name.split(";")[0].strip()


def main(folder: str) -> None:
    d3 = json.loads((Path(folder) / "iso_639-3.json").read_text())["639-3"]
    by3 = {e["alpha_3"]: e for e in d3}
    rows = {}
    for entry in d3:
        if "alpha_2" in entry:
            rows[entry["alpha_2"]] = (entry["alpha_2"], entry["alpha_3"], entry.get("bibliographic", ""),
                                      SHORT.get(entry["alpha_2"], short(entry["name"])))
    for code in EXTRA_639_3:
        entry = by3.get(code)
        if entry is None or "alpha_2" in entry or code in rows or code in MACRO_MEMBERS:
            continue
        rows[code] = (code, code, "", short(entry["name"]))
    for row in sorted(rows.values()):
        print("\t".join(row))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/iso-codes/json")
